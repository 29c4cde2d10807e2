import { validationFailed } from '@custodian/contracts';

/** A query-string integer, or a VALIDATION_FAILED naming the parameter. */
export function intQuery(name: string, value: string | undefined): Record<string, number> {
  if (value === undefined) return {};
  if (!/^\d{1,9}$/.test(value)) {
    throw validationFailed(name, 'must be a positive integer', `${name} must be a positive integer`);
  }
  return { [name]: Number(value) };
}
