import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * A yes/no variable written `true` or `false`: a boolean once the environment is loaded. Any other text is kept as
 * written, and the error names the variable and the value.
 */
export function Flag(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    // The text as written: implicit conversion would make a `boolean` property true for any text, `false` included.
    Transform(
      ({ obj, key, value }) => {
        const text: unknown = (obj as Record<string, unknown>)[key];
        return text === 'true' ? true : text === 'false' ? false : (text ?? value);
      },
      { toClassOnly: true },
    )(target, propertyName as string);
    registerDecorator({
      name: 'isFlag',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be true or false', ...options },
      validator: { validate: (value: unknown) => typeof value === 'boolean' },
    });
  };
}
