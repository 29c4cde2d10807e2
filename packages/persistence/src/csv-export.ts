import type { EntityManager } from 'typeorm';
import { sqlLiteral } from './copy.js';

// SQL pieces shared by the data owners' CSV exports, so every dataset follows one set of rules.

/**
 * SQL: `expr` as a cell that a spreadsheet cannot run as a formula. A text starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe; everything else is left as
 * it is. A phone number stays readable (`'+49 30 1234`), and the apostrophe tells that the cell was
 * escaped rather than changed. `expr` appears more than once: give a column, and compute costly
 * values (subqueries) once in a lateral subquery.
 */
export function spreadsheetSafe(expr: string): string {
  return `case when left(${expr}, 1) in ('=', '+', '-', '@', E'\\t', E'\\r') then '''' || ${expr} else ${expr} end`;
}

/** SQL: the timestamp `expr` in the session's time zone, with its offset (2026-11-23T10:00:00+01). */
export function isoTimestamp(expr: string): string {
  return `to_char(${expr}, 'YYYY-MM-DD"T"HH24:MI:SSOF')`;
}

/**
 * `COPY (select) TO STDOUT` as RFC 4180 CSV in UTF-8 with the requested delimiter, without a
 * header: PostgreSQL would write the column aliases, which it cuts at 63 bytes. Write
 * `csvHeaderLine` before the rows instead.
 */
export function csvCopySql(select: string, options: { delimiter?: ',' | ';' } = {}): string {
  return `copy (${select}) to stdout with (format csv, header false, delimiter ${sqlLiteral(options.delimiter ?? ',')}, encoding 'UTF8')`;
}

/** A CSV header line of `columns`, quoted as PostgreSQL's CSV output quotes values. */
export function csvHeaderLine(columns: readonly string[], delimiter: ',' | ';' = ','): string {
  const cell = (name: string) => (name.includes(delimiter) || /["\r\n]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name);
  return `${columns.map(cell).join(delimiter)}\n`;
}

/** Whether PostgreSQL knows the IANA time zone (the one list every export's timestamps are written with). */
export async function isTimeZone(em: EntityManager, timeZone: string): Promise<boolean> {
  const [known] = (await em.query('select 1 from pg_timezone_names where name = $1', [timeZone])) as unknown[];
  return known !== undefined;
}

/** Sets the transaction's time zone for the timestamps of an export; false when PostgreSQL does not know the zone. */
export async function useTimeZone(em: EntityManager, timeZone: string): Promise<boolean> {
  if (!(await isTimeZone(em, timeZone))) return false;
  await em.query(`set local timezone = ${sqlLiteral(timeZone)}`);
  return true;
}
