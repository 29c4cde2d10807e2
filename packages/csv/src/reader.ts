import { decodeText, type CsvEncoding } from './decode.js';
import { CsvError, CsvErrorCode } from './errors.js';
import { CsvParser, type CsvRepair, type ParsedRecord, type QuoteMode } from './parser.js';

export interface CsvReadOptions {
  /** Forced delimiter; detected from the header line (`,` or `;`) when absent. */
  delimiter?: ',' | ';';
  /** Longest record accepted, in characters, delimiters and quotes included (bounds memory). Default 1 MiB. */
  maxLineLength?: number;
  /** Most columns a record may have, empty ones included (bounds memory). Default 1,000. */
  maxColumns?: number;
  /** `strict` (default, RFC 4180) or `lenient` (a quote inside an unquoted field is a character; each such row says so in `repairs`). */
  quotes?: QuoteMode;
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
  | { rowNumber: number; record: Record<string, string>; values: string[]; error?: undefined; repairs?: CsvRepair[] }
  | { rowNumber: number; record?: undefined; error: { code: CsvErrorCode; message: string }; values: string[]; repairs?: CsvRepair[] };

export interface CsvInfo {
  encoding: CsvEncoding;
  delimiter: ',' | ';';
  header: string[];
  /** What the lenient reading repaired in the header line (row 1). */
  headerRepairs?: CsvRepair[];
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

/**
 * Streams a CSV file as records keyed by the header's names, each with the line number it starts
 * on (header = 1), never holding more than one record (and one chunk of the file) in memory.
 * `info` is set once the header is read.
 */
export class CsvReader {
  info?: CsvInfo;

  constructor(private readonly options: CsvReadOptions = {}) {}

  async *read(source: AsyncIterable<Buffer | string>): AsyncGenerator<CsvItem> {
    let encoding: CsvEncoding = 'utf-8';
    const text = decodeText(source as AsyncIterable<Buffer>, (e) => {
      encoding = e;
    });
    // Peek the first text chunk to detect the delimiter before parsing.
    const first = await text.next();
    if (first.done || first.value.trim() === '') {
      await text.return(undefined);
      throw new CsvError(CsvErrorCode.Empty, 'the file is empty; a header line is required');
    }
    const delimiter = this.options.delimiter ?? detectDelimiter(first.value.split(/\r?\n|\r/, 1)[0]!);
    const parser = new CsvParser({
      delimiter,
      quotes: this.options.quotes ?? 'strict',
      maxLineLength: this.options.maxLineLength ?? 1024 * 1024,
      maxColumns: this.options.maxColumns ?? 1000,
    });
    const chunks = (async function* () {
      yield first.value;
      yield* text;
    })();
    try {
      yield* this.items(chunks, parser, encoding, delimiter);
    } finally {
      // Stopped early (or failed): the file is not read further.
      await chunks.return(undefined);
      await text.return(undefined);
    }
  }

  private async *items(chunks: AsyncGenerator<string>, parser: CsvParser, encoding: CsvEncoding, delimiter: ',' | ';'): AsyncGenerator<CsvItem> {
    let header: string[] | undefined;
    const parsed: ParsedRecord[] = [];
    for (let done = false; !done;) {
      const next = await chunks.next();
      if (next.done) {
        parser.end(parsed);
        done = true;
      } else {
        parser.push(next.value, parsed);
      }
      for (const { line: rowNumber, values, repairs } of parsed) {
        if (!header) {
          header = values.map((h) => h.trim());
          const seen = new Set<string>();
          for (const [i, name] of header.entries()) {
            if (!name) throw new CsvError(CsvErrorCode.BadHeader, `column ${i + 1} of the header has no name`, rowNumber);
            const key = this.options.caseVariantHeaders ? name : name.toLowerCase();
            if (seen.has(key)) throw new CsvError(CsvErrorCode.BadHeader, `the header names "${name}" twice`, rowNumber);
            seen.add(key);
          }
          this.info = repairs ? { encoding, delimiter, header, headerRepairs: repairs } : { encoding, delimiter, header };
          continue;
        }
        if (values.length === 1 && values[0] === '') continue; // a blank line
        if (values.length !== header.length) {
          const message = `has ${values.length} field${values.length === 1 ? '' : 's'}, the header has ${header.length}`;
          if (this.options.onRowError === 'report') {
            const error = { code: CsvErrorCode.RaggedRow, message };
            yield repairs ? { rowNumber, error, values, repairs } : { rowNumber, error, values };
            continue;
          }
          throw new CsvError(CsvErrorCode.RaggedRow, message, rowNumber);
        }
        const record: Record<string, string> = {};
        if (this.options.records !== false) for (let i = 0; i < header.length; i += 1) record[header[i]!] = values[i]!;
        yield repairs ? { rowNumber, record, values, repairs } : { rowNumber, record, values };
      }
      parsed.length = 0;
    }
    if (!header) throw new CsvError(CsvErrorCode.Empty, 'the file is empty; a header line is required');
  }
}
