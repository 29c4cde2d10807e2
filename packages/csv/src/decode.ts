import { CsvError, CsvErrorCode } from './errors.js';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

const SAMPLE_BYTES = 64 * 1024;

function detect(sample: Buffer): { encoding: CsvEncoding; bomLength: number } {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  try {
    // stream: true tolerates a character cut at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return { encoding: 'utf-8', bomLength: 0 };
  } catch {
    // Not UTF-8: spreadsheets on Windows write Latin-1 / windows-1252.
    return { encoding: 'windows-1252', bomLength: 0 };
  }
}

/**
 * Decodes a byte stream to text, detecting the encoding from the first 64 KiB (UTF-8 by default;
 * BOMs honoured and stripped; windows-1252 when the sample is not UTF-8). Invalid UTF-8 later in a
 * UTF-8 file fails with CSV_INVALID_ENCODING and the line it was found on.
 */
export async function* decodeText(source: AsyncIterable<Buffer | string>, onEncoding: (e: CsvEncoding) => void): AsyncGenerator<string> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < SAMPLE_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    headBytes += chunk.length;
  }
  const sample = Buffer.concat(head);
  const { encoding, bomLength } = detect(sample.subarray(0, SAMPLE_BYTES));
  onEncoding(encoding);
  const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
  let line = 1;
  const decode = (bytes: Buffer, stream: boolean): string => {
    try {
      const text = decoder.decode(bytes, { stream });
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) line += 1;
      return text;
    } catch (err) {
      // Find the line of the first invalid sequence in this chunk.
      const lenient = new TextDecoder('utf-8').decode(bytes);
      const bad = lenient.indexOf('\uFFFD');
      const before = bad === -1 ? lenient : lenient.slice(0, bad);
      const at = line + (before.match(/\n/g)?.length ?? 0);
      throw new CsvError(CsvErrorCode.InvalidEncoding, 'the file is not valid UTF-8 here; save it as UTF-8', at, { cause: err });
    }
  };
  try {
    const first = decode(sample.subarray(bomLength), !done);
    if (first) yield first;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      const text = decode(typeof next.value === 'string' ? Buffer.from(next.value) : next.value, true);
      if (text) yield text;
    }
    const rest = decode(Buffer.alloc(0), false);
    if (rest) yield rest;
  } finally {
    // Stopped before the end (the reader failed or was left): the source is closed, not left open.
    if (!done) await iterator.return?.();
  }
}
