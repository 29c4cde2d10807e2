import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type Info } from 'csv-parse';
import { decodeText, type CsvEncoding } from './decode.js';
import { CsvError, CsvErrorCode } from './errors.js';

export interface CsvReadOptions {
  /** Forced delimiter; detected from the header line (`,` or `;`) when absent. */
  delimiter?: ',' | ';';
  /** Longest record accepted, in characters (bounds memory). Default 1 MiB. */
  maxLineLength?: number;
  /** `fail` (default): a row with the wrong number of fields fails the read; `report`: it is yielded as an error item. */
  onRowError?: 'fail' | 'report';
  /** Build `record` (values keyed by header); off for callers that only need `values` (faster). */
  records?: boolean;
  /**
   * Accept header names that differ only in case (`City`, `city`); an exact repeat is still
   * refused. For files written before names had to differ regardless of case.
   */
  caseVariantHeaders?: boolean;
}

export type CsvItem =
  | { rowNumber: number; record: Record<string, string>; values: string[]; error?: undefined }
  | { rowNumber: number; record?: undefined; error: { code: CsvErrorCode; message: string }; values: string[] };

export interface CsvInfo {
  encoding: CsvEncoding;
  delimiter: ',' | ';';
  header: string[];
}

/** Picks `;` when the header line has more semicolons than commas outside quotes. */
export function detectDelimiter(firstLine: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',') commas += 1;
    else if (!quoted && ch === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

const PARSER_ERRORS: Record<string, CsvErrorCode> = {
  CSV_QUOTE_NOT_CLOSED: CsvErrorCode.UnbalancedQuotes,
  CSV_INVALID_CLOSING_QUOTE: CsvErrorCode.UnbalancedQuotes,
  CSV_MAX_RECORD_SIZE: CsvErrorCode.LineTooLong,
};

/**
 * Streams a CSV file as records keyed by the header's names, each with the line number it starts
 * on (header = 1), never holding more than one record in memory. `info` is set once the header is read.
 */
export class CsvReader {
  info?: CsvInfo;

  constructor(private readonly options: CsvReadOptions = {}) {}

  async *read(source: Readable | AsyncIterable<Buffer | string>): AsyncGenerator<CsvItem> {
    let encoding: CsvEncoding = 'utf-8';
    const text = decodeText(source as AsyncIterable<Buffer>, (e) => {
      encoding = e;
    });
    // Peek the first text chunk to detect the delimiter before the parser starts.
    const first = await text.next();
    if (first.done || first.value.trim() === '') {
      throw new CsvError(CsvErrorCode.Empty, 'the file is empty; a header line is required');
    }
    const delimiter = this.options.delimiter ?? detectDelimiter(first.value.split(/\r?\n/, 1)[0]!);
    const maxLineLength = this.options.maxLineLength ?? 1024 * 1024;
    // Line where the last record parsed so far ended: a parser error belongs to the record after it.
    let parsedEnd = 0;
    const parser = parse({
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: maxLineLength,
      info: true,
      bom: false,
      on_record: (record, context) => {
        parsedEnd = context.lines;
        return record;
      },
    });
    // pipeline handles backpressure and tears both sides down on an error on either side.
    const feeding = pipeline(
      Readable.from(
        (async function* () {
          yield first.value;
          yield* text;
        })(),
      ),
      parser,
    ).catch(() => undefined);

    let header: string[] | undefined;
    let previousEnd = 0;
    try {
      for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
        const rowNumber = previousEnd + 1;
        previousEnd = item.info.lines;
        const values = item.record;
        if (!header) {
          header = values.map((h) => h.trim());
          const seen = new Set<string>();
          for (const [i, name] of header.entries()) {
            if (!name) throw new CsvError(CsvErrorCode.BadHeader, `column ${i + 1} of the header has no name`, rowNumber);
            const key = this.options.caseVariantHeaders ? name : name.toLowerCase();
            if (seen.has(key)) throw new CsvError(CsvErrorCode.BadHeader, `the header names "${name}" twice`, rowNumber);
            seen.add(key);
          }
          this.info = { encoding, delimiter, header };
          continue;
        }
        if (values.length === 1 && values[0] === '') continue; // a blank line
        if (values.length !== header.length) {
          const message = `has ${values.length} field${values.length === 1 ? '' : 's'}, the header has ${header.length}`;
          if (this.options.onRowError === 'report') {
            yield { rowNumber, error: { code: CsvErrorCode.RaggedRow, message }, values };
            continue;
          }
          throw new CsvError(CsvErrorCode.RaggedRow, message, rowNumber);
        }
        const record: Record<string, string> = {};
        if (this.options.records !== false) for (let i = 0; i < header.length; i += 1) record[header[i]!] = values[i]!;
        yield { rowNumber, record, values };
      }
    } catch (err) {
      if (err instanceof CsvError) throw err;
      const e = err as { code?: string; lines?: number; message: string };
      const code = (e.code && PARSER_ERRORS[e.code]) ?? (e.code === undefined ? undefined : CsvErrorCode.Malformed);
      if (!code) throw err;
      const message =
        code === CsvErrorCode.LineTooLong
          ? `a record is longer than ${maxLineLength} characters`
          : code === CsvErrorCode.UnbalancedQuotes
            ? 'a quoted field is not closed properly (unbalanced quotes)'
            : e.message;
      throw new CsvError(code, message, parsedEnd + 1, { cause: err });
    } finally {
      parser.destroy();
      await feeding;
    }
    if (!header) throw new CsvError(CsvErrorCode.Empty, 'the file is empty; a header line is required');
  }
}
