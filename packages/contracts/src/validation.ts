import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { DomainError, ErrorCode, type FieldError } from './errors.js';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** Validation errors of a plain value against a payload class (unknown properties are errors too). */
export function validationErrors<T extends object>(cls: ClassConstructor<T>, plain: unknown): { value?: T; errors: FieldError[] } {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { errors: [{ path: '', message: 'must be an object' }] };
  }
  const value = plainToInstance(cls, plain, { enableImplicitConversion: false });
  // A payload class with no properties (a command that takes nothing) accepts only an empty object.
  if (!getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).length) {
    return { value, errors: Object.keys(plain).map((path) => ({ path, message: `property ${path} should not exist` })) };
  }
  const errors = flatten(validateSync(value, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }));
  return { value, errors };
}

/** Returns the validated instance or throws a VALIDATION_FAILED DomainError listing every problem. */
export function validatePayload<T extends object>(cls: ClassConstructor<T>, plain: unknown): T {
  const { value, errors } = validationErrors(cls, plain);
  if (errors.length || !value) {
    throw new DomainError(ErrorCode.ValidationFailed, `invalid ${cls.name}: ${errors.map((e) => `${e.path || '(root)'} ${e.message}`).join('; ')}`, { errors });
  }
  return value;
}
