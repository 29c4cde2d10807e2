import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const APOSTROPHE = Buffer.from("'");
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** First characters a spreadsheet would run as a formula (as `escapeFormula`). */
const formulaStart = (b: number) => b === 0x3d || b === 0x2b || b === 0x2d || b === 0x40 || b === TAB;

const enum State {
  Start,
  Unquoted,
  /** Just after the opening quote: the value's first character is next. */
  QuotedFirst,
  Quoted,
  QuoteInQuoted,
}

/**
 * UTF-8 CSV bytes in, the same CSV for people out: every field whose value starts like a formula
 * (`=`, `+`, `-`, `@`, a tab, or a CR inside quotes) gets a leading `'`, inside its quotes if it
 * has them, and the output starts with a UTF-8 BOM. Everything else passes through byte for byte
 * (quoting, line ends), chunk by chunk: memory does not grow with the file. The structural
 * characters are ASCII, so the bytes of a multi-byte UTF-8 character are never mistaken for them.
 */
export function spreadsheetSafeCsv(options: { delimiter?: ',' | ';'; bom?: boolean } = {}): Transform {
  const delimiter = (options.delimiter ?? ',').charCodeAt(0);
  let state = State.Start;
  let started = false;
  return new Transform({
    transform(data: Buffer | string, _encoding: BufferEncoding, done: TransformCallback) {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      const parts: Buffer[] = [];
      if (!started) {
        started = true;
        if (options.bom ?? true) parts.push(UTF8_BOM);
      }
      let from = 0;
      const escapeAt = (i: number) => {
        parts.push(chunk.subarray(from, i), APOSTROPHE);
        from = i;
      };
      for (let i = 0; i < chunk.length; i += 1) {
        const b = chunk[i]!;
        switch (state) {
          case State.Start:
            if (b === QUOTE) state = State.QuotedFirst;
            else if (b === delimiter || b === LF || b === CR) state = State.Start;
            else {
              if (formulaStart(b)) escapeAt(i);
              state = State.Unquoted;
            }
            break;
          case State.Unquoted:
            if (b === delimiter || b === LF || b === CR) state = State.Start;
            break;
          case State.QuotedFirst:
            if (b === QUOTE) state = State.QuoteInQuoted;
            else {
              if (formulaStart(b) || b === CR) escapeAt(i);
              state = State.Quoted;
            }
            break;
          case State.Quoted:
            if (b === QUOTE) state = State.QuoteInQuoted;
            break;
          case State.QuoteInQuoted:
            if (b === QUOTE) state = State.Quoted;
            else if (b === delimiter || b === LF || b === CR) state = State.Start;
            else state = State.Unquoted;
            break;
        }
      }
      parts.push(chunk.subarray(from));
      done(null, Buffer.concat(parts));
    },
    flush(done: TransformCallback) {
      done(null, started || !(options.bom ?? true) ? undefined : UTF8_BOM);
    },
  });
}
