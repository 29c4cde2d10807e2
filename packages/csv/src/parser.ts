import { CsvError, CsvErrorCode } from './errors.js';

/**
 * `strict` (RFC 4180): a quote may only open a field, close it, or be doubled inside it.
 * `lenient` (as spreadsheets read): a quote inside an unquoted field is a plain character, and a
 * quoted field with text after its closing quote is kept exactly as written, quotes included.
 */
export type QuoteMode = 'strict' | 'lenient';
export const QUOTE_MODES: readonly QuoteMode[] = ['strict', 'lenient'];

/** A field the lenient reading read differently from the strict one (column is 1-based). */
export interface CsvRepair {
  column: number;
  message: string;
}

/** What the lenient reading repaired in one record, in one cell: the first few repairs and how many more. */
export function repairSummary(repairs: readonly CsvRepair[]): string {
  const shown = repairs.slice(0, 10).map((r) => r.message);
  return repairs.length > shown.length ? `${shown.join('; ')}; and ${repairs.length - shown.length} more` : shown.join('; ');
}

export interface ParsedRecord {
  /** Line the record starts on (the first line of the file is 1). */
  line: number;
  values: string[];
  repairs?: CsvRepair[];
}

export interface ParserOptions {
  delimiter: ',' | ';';
  quotes: QuoteMode;
  /** Longest record, in characters, delimiters and quotes included. */
  maxLineLength: number;
  /** Most fields a record may have. */
  maxColumns: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const enum State {
  /** At the start of a field. */
  Start,
  Unquoted,
  Quoted,
  /** Just after a quote inside a quoted field: it closes the field, or is the first of a doubled quote. */
  QuoteInQuoted,
  /** After a CR that ended a record: an LF right after belongs to it. */
  AfterCr,
}

/**
 * A streaming CSV parser over decoded text: feed it chunks, it answers the records they complete.
 * Memory is bounded by its limits: a record longer than `maxLineLength` characters or with more
 * than `maxColumns` fields fails as soon as it is seen (empty fields count too, unlike a limit on
 * the values alone, so a line of a million commas stops at the column limit). Records end at LF,
 * CRLF or CR outside quotes.
 */
export class CsvParser {
  /** The first record: names of the columns in messages. */
  private header?: string[];
  private state = State.Start;
  private values: string[] = [];
  /** The current field's text from earlier chunks. */
  private field = '';
  private fieldRepaired = false;
  private repairs?: CsvRepair[];
  private line = 1;
  private recordLine = 1;
  /** Characters of the current record in earlier chunks. */
  private carried = 0;
  private readonly delimiter: number;

  constructor(private readonly options: ParserOptions) {
    this.delimiter = options.delimiter.charCodeAt(0);
  }

  /** Parses one chunk; the records it completes are pushed to `out`. */
  push(text: string, out: ParsedRecord[]): void {
    const n = text.length;
    const d = this.delimiter;
    let i = 0;
    // Start in `text` of the current field's text not yet in `field`, and of the current record.
    let segment = 0;
    let recordStart = 0;
    // The next LF at or after a quoted field's text (-1: none left in this chunk).
    let lf = text.indexOf('\n');
    const endField = (end: number) => {
      if (this.carried + end - recordStart > this.options.maxLineLength) this.lineTooLong();
      if (this.values.length >= this.options.maxColumns) this.tooManyColumns();
      const slice = text.slice(segment, end);
      this.values.push(this.field ? this.field + slice : slice);
      this.field = '';
      this.fieldRepaired = false;
    };
    const endRecord = (next: number) => {
      this.header ??= this.values.map((name) => name.trim());
      out.push(this.repairs ? { line: this.recordLine, values: this.values, repairs: this.repairs } : { line: this.recordLine, values: this.values });
      this.values = [];
      this.repairs = undefined;
      this.line += 1;
      this.recordLine = this.line;
      this.carried = 0;
      recordStart = next;
    };
    while (i < n) {
      switch (this.state) {
        case State.Start: {
          const c = text.charCodeAt(i);
          segment = i;
          if (c === QUOTE) {
            this.state = State.Quoted;
            i += 1;
            segment = i;
          } else if (c === d) {
            endField(i);
            i += 1;
          } else if (c === LF || c === CR) {
            endField(i);
            endRecord(i + 1);
            this.state = c === CR ? State.AfterCr : State.Start;
            i += 1;
          } else {
            this.state = State.Unquoted;
          }
          break;
        }
        case State.Unquoted: {
          let j = i;
          let c = 0;
          for (; j < n; j += 1) {
            c = text.charCodeAt(j);
            if (c === d || c === LF || c === CR || c === QUOTE) break;
          }
          if (j === n) {
            i = n;
            break;
          }
          if (c === QUOTE) {
            if (this.options.quotes === 'strict') {
              this.fail(
                CsvErrorCode.StrayQuote,
                `${this.column()}: a quote inside a field that does not start with one; put the field in quotes and double its quotes (""), or import with quotes=lenient`,
              );
            }
            this.repair('a quote inside an unquoted field was kept as a character');
            i = j + 1;
            break;
          }
          endField(j);
          if (c === d) {
            this.state = State.Start;
          } else {
            endRecord(j + 1);
            this.state = c === CR ? State.AfterCr : State.Start;
          }
          i = j + 1;
          break;
        }
        case State.Quoted: {
          const j = text.indexOf('"', i);
          const end = j === -1 ? n : j;
          // Line breaks inside the quotes count as lines (the next one is remembered, so each is found once).
          if (lf !== -1 && lf < i) lf = text.indexOf('\n', i);
          while (lf !== -1 && lf < end) {
            this.line += 1;
            lf = text.indexOf('\n', lf + 1);
          }
          if (j === -1) {
            i = n;
            break;
          }
          this.field += text.slice(segment, j);
          this.state = State.QuoteInQuoted;
          i = j + 1;
          segment = i;
          break;
        }
        case State.QuoteInQuoted: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            // A doubled quote: one quote of the value; the field goes on.
            this.field += '"';
            this.state = State.Quoted;
            i += 1;
            segment = i;
          } else if (c === d) {
            endField(i);
            this.state = State.Start;
            i += 1;
          } else if (c === LF || c === CR) {
            endField(i);
            endRecord(i + 1);
            this.state = c === CR ? State.AfterCr : State.Start;
            i += 1;
          } else {
            if (this.options.quotes === 'strict') {
              this.fail(
                CsvErrorCode.UnbalancedQuotes,
                `${this.column()}: text follows the closing quote of a quoted field; double the quotes inside it (""), or import with quotes=lenient`,
              );
            }
            // Kept as written: the quoted part with its quotes, then the rest as unquoted text.
            this.field = `"${this.field.replaceAll('"', '""')}"`;
            this.repair('text after the closing quote; the field was kept as written, quotes included');
            this.state = State.Unquoted;
          }
          break;
        }
        case State.AfterCr: {
          if (text.charCodeAt(i) === LF) {
            i += 1;
            recordStart = i;
          }
          this.state = State.Start;
          break;
        }
      }
    }
    if (this.state === State.Unquoted || this.state === State.Quoted) this.field += text.slice(segment, n);
    this.carried += n - recordStart;
    if (this.carried > this.options.maxLineLength) this.lineTooLong();
  }

  /** The end of the input: the last record if it has no line break after it. */
  end(out: ParsedRecord[]): void {
    if (this.state === State.Quoted) {
      this.fail(CsvErrorCode.UnbalancedQuotes, `${this.column()}: a quoted field is never closed (unbalanced quotes)`);
    }
    if (this.state === State.Unquoted || this.state === State.QuoteInQuoted || this.values.length > 0) {
      this.push('\n', out);
      this.line -= 1;
    }
    this.state = State.AfterCr;
  }

  private column(): string {
    const column = this.values.length + 1;
    const name = this.header?.[column - 1];
    // A header name of any length is quoted cut, so a repair note stays short whatever the file.
    const shown = name && name.length > 64 ? `${name.slice(0, 64)}…` : name;
    return shown ? `column ${column} ("${shown}")` : `column ${column}`;
  }

  private repair(message: string): void {
    if (this.fieldRepaired) return;
    this.fieldRepaired = true;
    (this.repairs ??= []).push({ column: this.values.length + 1, message: `${this.column()}: ${message}` });
  }

  private lineTooLong(): never {
    this.fail(CsvErrorCode.LineTooLong, `a record is longer than ${this.options.maxLineLength} characters`);
  }

  private tooManyColumns(): never {
    this.fail(CsvErrorCode.TooManyColumns, `a record has more than ${this.options.maxColumns} columns`);
  }

  private fail(code: CsvErrorCode, message: string): never {
    throw new CsvError(code, message, this.recordLine);
  }
}
