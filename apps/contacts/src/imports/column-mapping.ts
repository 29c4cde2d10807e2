import { MEMBERSHIP_STATUSES, type FieldType, type MembershipStatus } from '@custodian/contracts';

/** Where a file column goes. A field's `type` is known once the name is resolved to its definition. */
export type ColumnTarget =
  | { kind: 'email' }
  | { kind: 'firstName' }
  | { kind: 'lastName' }
  | { kind: 'status' }
  | { kind: 'field'; name: string; type?: FieldType }
  | { kind: 'ignore' };

/** The checks a row's custom field values must pass (none for a restore, which brings back what was there). */
export interface FieldValueRules {
  valueProblem(field: { name: string; type: FieldType }, value: string): string | null;
  sizeProblem(fields: Record<string, string>): string | null;
}

const KNOWN: Record<string, ColumnTarget> = {
  email: { kind: 'email' },
  'e-mail': { kind: 'email' },
  email_address: { kind: 'email' },
  emailaddress: { kind: 'email' },
  firstname: { kind: 'firstName' },
  first_name: { kind: 'firstName' },
  'first name': { kind: 'firstName' },
  lastname: { kind: 'lastName' },
  last_name: { kind: 'lastName' },
  'last name': { kind: 'lastName' },
  status: { kind: 'status' },
  subscription_status: { kind: 'status' },
  subscription: { kind: 'status' },
  // Written by list snapshots; the live contact keeps its own created date.
  createdat: { kind: 'ignore' },
  created_at: { kind: 'ignore' },
};

export class MappingError extends Error {}

function parseTarget(spec: string, column: string): ColumnTarget {
  if (spec === 'email' || spec === 'firstName' || spec === 'lastName' || spec === 'status' || spec === 'ignore') return { kind: spec } as ColumnTarget;
  if (spec.startsWith('fields.') && spec.length > 7) return { kind: 'field', name: spec.slice(7) };
  throw new MappingError(`mapping for column "${column}" must be email, firstName, lastName, status, fields.<name> or ignore (got "${spec}")`);
}

/**
 * Maps every header column: explicit `mapping` first, then well-known names, and any other
 * column becomes a custom field of the same name (`fields.x` headers, as snapshots write them, too).
 */
export function mapColumns(header: string[], mapping: Record<string, string> = {}, options: { caseVariantFields?: boolean } = {}): ColumnTarget[] {
  for (const column of Object.keys(mapping)) {
    if (!header.includes(column)) throw new MappingError(`mapping names column "${column}", which the file does not have (columns: ${header.join(', ')})`);
  }
  const targets = header.map((column) => {
    const explicit = mapping[column];
    if (explicit !== undefined) return parseTarget(explicit, column);
    const known = KNOWN[column.trim().toLowerCase()];
    if (known) return known;
    if (column.startsWith('fields.') && column.length > 7) return { kind: 'field', name: column.slice(7) } as ColumnTarget;
    return { kind: 'field', name: column.trim() } as ColumnTarget;
  });
  for (const kind of ['email', 'firstName', 'lastName', 'status'] as const) {
    const n = targets.filter((t) => t.kind === kind).length;
    if (n > 1) throw new MappingError(`${n} columns map to ${kind}; map all but one to ignore`);
  }
  // Field names are compared ignoring case; a backup written before that rule may still hold both spellings.
  if (!options.caseVariantFields) {
    const seen = new Map<string, string>();
    for (const [i, t] of targets.entries()) {
      if (t.kind !== 'field') continue;
      const earlier = seen.get(t.name.toLowerCase());
      if (earlier !== undefined)
        throw new MappingError(`columns "${earlier}" and "${header[i]}" name the same custom field (names are compared ignoring case); map one to ignore`);
      seen.set(t.name.toLowerCase(), header[i]!);
    }
  }
  if (!targets.some((t) => t.kind === 'email')) throw new MappingError(`no email column (columns: ${header.join(', ')}); name one "email" or map it`);
  return targets;
}

export interface ImportRow {
  email: string;
  firstName: string | null;
  lastName: string | null;
  status: MembershipStatus | null;
  fields: Record<string, string>;
}

// Deliberately simple and strict: one @, no spaces, a dot in the domain.
const EMAIL = /^[^\s@"<>,;]+@[^\s@"<>,;]+\.[^\s@"<>,;]+$/;
const STATUSES = new Set<string>(MEMBERSHIP_STATUSES);

/** A row's values as a contact, or the reason it is rejected. */
export function toImportRow(values: string[], targets: ColumnTarget[], rules?: FieldValueRules): { row: ImportRow } | { reason: string } {
  const row: ImportRow = { email: '', firstName: null, lastName: null, status: null, fields: {} };
  // PostgreSQL's text cannot hold U+0000: one such cell is this row's problem, not the whole file's.
  if (values.some((v) => v.includes('\u0000'))) return { reason: 'the row holds a NUL character (U+0000), which cannot be stored' };
  for (let i = 0; i < targets.length; i += 1) {
    const t = targets[i]!;
    const value = (values[i] ?? '').trim();
    switch (t.kind) {
      case 'email':
        row.email = value;
        break;
      case 'firstName':
        row.firstName = value || null;
        break;
      case 'lastName':
        row.lastName = value || null;
        break;
      case 'status': {
        if (!value) break;
        const status = value.toLowerCase();
        if (!STATUSES.has(status)) return { reason: `status "${value}" is not one of ${MEMBERSHIP_STATUSES.join(', ')}` };
        row.status = status as MembershipStatus;
        break;
      }
      case 'field': {
        if (!value) break;
        const problem = rules?.valueProblem({ name: t.name, type: t.type ?? 'text' }, value);
        if (problem) return { reason: `field ${t.name} ${problem}` };
        row.fields[t.name] = value;
        break;
      }
      case 'ignore':
        break;
    }
  }
  if (!row.email) return { reason: 'email is empty' };
  if (row.email.length > 320 || !EMAIL.test(row.email)) return { reason: `"${row.email}" is not a valid email address` };
  if (row.firstName && row.firstName.length > 200) return { reason: 'firstName is longer than 200 characters' };
  if (row.lastName && row.lastName.length > 200) return { reason: 'lastName is longer than 200 characters' };
  const tooBig = rules?.sizeProblem(row.fields);
  if (tooBig) return { reason: `the row's custom fields ${tooBig}` };
  return { row };
}

/** One line of PostgreSQL COPY text format. */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyLine(values: (string | number | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i];
    const text = v === null || v === undefined ? '\\N' : String(v);
    // Most values need no escaping; test once before replacing.
    line += (i ? '\t' : '') + (v !== null && v !== undefined && COPY_SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : text);
  }
  return `${line}\n`;
}
