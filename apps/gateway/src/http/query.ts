import { DomainError, ErrorCode } from '@custodian/contracts';

/** A query-string integer, or a VALIDATION_FAILED naming the parameter. */
export function intQuery(name: string, value: string | undefined): Record<string, number> {
  if (value === undefined) return {};
  if (!/^\d{1,9}$/.test(value)) {
    throw new DomainError(ErrorCode.ValidationFailed, `${name} must be a positive integer`, { errors: [{ path: name, message: 'must be a positive integer' }] });
  }
  return { [name]: Number(value) };
}
