/**
 * Custom fields: each workspace defines its fields (by name, case-insensitively unique), and every
 * contact's `fields` holds string values under those names. A name used for the first time in a
 * write defines a `text` field.
 */
export const FIELD_TYPES = ['text', 'number', 'date'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Longest field name, in characters. */
export const FIELD_NAME_MAX_LENGTH = 64;

/**
 * Letters, digits, marks, space, `_`, `-` and `.`, starting with a letter, digit or `_`; no
 * leading or trailing space. Keeps names readable as CSV headers and free of control characters.
 */
export const FIELD_NAME_PATTERN = /^[\p{L}\p{N}_](?:[\p{L}\p{N}\p{M} _.-]*[\p{L}\p{N}\p{M}_.-])?$/u;

/**
 * Names an import maps to a built-in column rather than a field (compared case-insensitively), so
 * a field of that name could never be imported back from a file without an explicit mapping.
 */
export const RESERVED_FIELD_NAMES = [
  'email',
  'e-mail',
  'email_address',
  'emailaddress',
  'firstname',
  'first_name',
  'first name',
  'lastname',
  'last_name',
  'last name',
  'status',
  'subscription_status',
  'subscription',
  'createdat',
  'created_at',
] as const;

/** Why `name` cannot name a new field, or null when it can. */
export function fieldNameProblem(name: string): string | null {
  if ([...name].length > FIELD_NAME_MAX_LENGTH) return `is longer than ${FIELD_NAME_MAX_LENGTH} characters`;
  if (!FIELD_NAME_PATTERN.test(name)) return 'must start with a letter, digit or _ and hold only letters, digits, spaces, _, - and . (no space at either end)';
  if ((RESERVED_FIELD_NAMES as readonly string[]).includes(name.toLowerCase())) return 'is the name of a built-in column';
  return null;
}

const NUMBER = /^-?(?:0|[1-9]\d{0,29})(?:\.\d{1,15})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Why `value` does not fit a field of `type`, or null when it does. */
export function fieldValueProblem(type: FieldType, value: string): string | null {
  switch (type) {
    case 'text':
      return null;
    case 'number':
      return NUMBER.test(value) ? null : 'is not a number (digits, an optional - and an optional decimal part with a dot)';
    case 'date': {
      // A real calendar day: 2026-02-30 does not survive the round trip.
      const day = DATE.test(value) ? new Date(`${value}T00:00:00Z`) : null;
      return day && !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value ? null : 'is not a date (YYYY-MM-DD)';
    }
  }
}
