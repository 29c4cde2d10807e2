import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/** Milliseconds in a unit, for defaults written like the documented text (`15 * MINUTE` for `15m`). */
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const UNITS: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses `500ms`, `30s`, `15m`, `2h`, `30d` into milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (use e.g. 500ms, 30s, 15m, 2h, 30d)`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

/** Milliseconds as the text a user writes, in the largest unit that divides them (`366d`, `90s`, `1500ms`). */
export function formatDuration(ms: number): string {
  const [unit, size] = Object.entries(UNITS)
    .reverse()
    .find(([, size]) => ms !== 0 && ms % size === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

/**
 * A duration variable: the text (`500ms`, `30s`, `15m`, `2h`, `30d`) is checked and turned into milliseconds when the
 * environment is loaded, so the property is a number of ms. Text that is not a duration is kept as written, and the
 * error names the variable, the accepted forms and the value.
 */
export function Duration(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    // The text as written: implicit conversion has already turned it into NaN for a `number` property.
    Transform(
      ({ obj, key, value }) => {
        const text: unknown = (obj as Record<string, unknown>)[key];
        return typeof text === 'string' ? (DURATION.test(text.trim()) ? parseDuration(text) : text) : value;
      },
      { toClassOnly: true },
    )(target, propertyName as string);
    registerDecorator({
      name: 'isDuration',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a duration such as 500ms, 30s, 15m, 2h or 30d', ...options },
      validator: { validate: (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0 },
    });
  };
}
