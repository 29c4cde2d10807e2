import { registerDecorator, type ValidationOptions } from 'class-validator';
import validator from 'validator';

/**
 * A timestamp as RFC 3339 writes it (`2026-06-01T12:00:00Z`, `2026-06-01T14:00:00.123+02:00`) or a
 * date (`2026-06-01`): the forms PostgreSQL's timestamptz reads. ISO 8601's other forms (week
 * dates such as `2026-W48-1`, ordinal dates) pass a plain ISO 8601 check and then fail in the database.
 */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && TIMESTAMP.test(value) && validator.isISO8601(value, { strict: true });
}

export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimestamp',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be an RFC 3339 timestamp such as 2026-06-01T12:00:00Z', ...options },
      validator: { validate: (value: unknown) => isTimestamp(value) },
    });
}
