import { validationFailed } from '@custodian/contracts';

/** A query-string integer, or a VALIDATION_FAILED naming the parameter. */
export function intQuery(name: string, value: string | undefined): Record<string, number> {
  if (value === undefined) return {};
  if (!/^\d{1,9}$/.test(value)) {
    throw validationFailed(name, 'must be a positive integer', `${name} must be a positive integer`);
  }
  return { [name]: Number(value) };
}

/** A query-string boolean (`true` or `false`), or a VALIDATION_FAILED naming the parameter. */
export function boolQuery(name: string, value: string | undefined): Record<string, boolean> {
  if (value === undefined) return {};
  if (value !== 'true' && value !== 'false') throw validationFailed(name, 'must be true or false', `${name} must be true or false`);
  return { [name]: value === 'true' };
}
