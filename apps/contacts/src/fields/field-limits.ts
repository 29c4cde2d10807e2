/**
 * Most custom fields a workspace can ever have, whatever CONTACTS_FIELD_LIMIT says: a list
 * snapshot and a contacts dataset select one column per field, and PostgreSQL allows at most
 * 1,664 columns in a select (the fixed columns take the rest).
 */
export const FIELD_HARD_LIMIT = 1_600;

/** What a write may put into contacts' custom fields (from the service's configuration). */
export interface FieldLimits {
  /** Fields a workspace may define by writes and definitions. */
  fields: number;
  valueLength: number;
  contactBytes: number;
}
