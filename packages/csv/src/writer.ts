import { Transform } from 'node:stream';
import { stringify } from 'csv-stringify';

export interface CsvWriteOptions {
  columns: string[];
  header?: boolean;
  delimiter?: ',' | ';';
  /** Prefix values a spreadsheet would run as formulas with `'` (files meant for people). */
  escapeFormulas?: boolean;
  /** Start with a UTF-8 BOM (helps some spreadsheets detect the encoding). */
  bom?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** OWASP CSV-injection guidance: a leading `'` stops spreadsheets from evaluating the cell. */
export function escapeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * Rows (objects keyed by column, or arrays in column order) in, RFC 4180 CSV bytes out: UTF-8,
 * CRLF line ends, fields quoted when they hold the delimiter, a quote, CR or LF.
 */
export function createCsvWriter(options: CsvWriteOptions): Transform {
  const escape = options.escapeFormulas ?? true;
  return stringify({
    columns: options.columns,
    header: options.header ?? true,
    delimiter: options.delimiter ?? ',',
    record_delimiter: '\r\n',
    bom: options.bom ?? false,
    // A bare LF or CR inside a field must be quoted too, not only the CRLF record delimiter.
    quoted_match: /[\r\n]/,
    cast: {
      string: (value) => (escape ? escapeFormula(value) : value),
      boolean: (value) => (value ? 'true' : 'false'),
      date: (value) => value.toISOString(),
    },
  });
}
