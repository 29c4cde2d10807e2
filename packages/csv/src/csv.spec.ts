import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, CsvReader, createCsvWriter, detectDelimiter, escapeFormula, type CsvItem } from './index.js';

async function readAll(input: Buffer | string | Buffer[], options = {}): Promise<{ items: CsvItem[]; reader: CsvReader }> {
  const reader = new CsvReader(options);
  const chunks = Array.isArray(input) ? input : [typeof input === 'string' ? Buffer.from(input) : input];
  const items: CsvItem[] = [];
  for await (const item of reader.read(Readable.from(chunks))) items.push(item);
  return { items, reader };
}

async function failure(input: Buffer | string, options = {}): Promise<CsvError> {
  try {
    await readAll(input, options);
  } catch (err) {
    if (err instanceof CsvError) return err;
    throw err;
  }
  throw new Error('expected a CsvError');
}

async function write(rows: unknown[], options: Parameters<typeof createCsvWriter>[0]): Promise<string> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(rows), createCsvWriter(options), async (s: AsyncIterable<Buffer>) => {
    for await (const c of s) out.push(Buffer.from(c));
  });
  return Buffer.concat(out).toString('utf8');
}

describe('CsvReader', () => {
  it('reads records keyed by the header with the line each starts on, across quoted newlines', async () => {
    const { items, reader } = await readAll('email,note\r\na@x.com,"two\nlines"\r\nb@x.com,plain\r\n');
    expect(items).toEqual([
      { rowNumber: 2, record: { email: 'a@x.com', note: 'two\nlines' }, values: ['a@x.com', 'two\nlines'] },
      { rowNumber: 4, record: { email: 'b@x.com', note: 'plain' }, values: ['b@x.com', 'plain'] },
    ]);
    expect(reader.info).toEqual({ encoding: 'utf-8', delimiter: ',', header: ['email', 'note'] });
  });

  it('strips a UTF-8 BOM and keeps accents', async () => {
    const { items } = await readAll(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('email,name\nz@x.com,José\n')]));
    expect(items[0]!.record).toEqual({ email: 'z@x.com', name: 'José' });
  });

  it('reads a Latin-1 file as windows-1252', async () => {
    const { items, reader } = await readAll(Buffer.from([...Buffer.from('email,name\nq@x.com,Ren'), 0xe9, 0x0a]));
    expect(reader.info?.encoding).toBe('windows-1252');
    expect(items[0]!.record!.name).toBe('René');
  });

  it('fails on invalid UTF-8 after a UTF-8 start, with the line', async () => {
    const start = `email\n${'a@x.com\n'.repeat(10_000)}`;
    const err = await failure(Buffer.concat([Buffer.from(start), Buffer.from([0xff, 0x0a])]));
    expect(err.code).toBe('CSV_INVALID_ENCODING');
    expect(err.rowNumber).toBe(10_002);
  });

  it('detects the ; delimiter', async () => {
    const { items, reader } = await readAll('email;city\nx@y.com;"Paris, FR"\n');
    expect(reader.info?.delimiter).toBe(';');
    expect(items[0]!.record).toEqual({ email: 'x@y.com', city: 'Paris, FR' });
    expect(detectDelimiter('"a;b",c,d')).toBe(',');
  });

  it('skips blank lines but keeps counting lines', async () => {
    const { items } = await readAll('email\n\na@x.com\n\n');
    expect(items).toEqual([{ rowNumber: 3, record: { email: 'a@x.com' }, values: ['a@x.com'] }]);
  });

  it('rejects an empty file and reads a header-only file as no rows', async () => {
    expect((await failure('')).code).toBe('CSV_EMPTY');
    expect((await failure('\n\n')).code).toBe('CSV_EMPTY');
    expect((await readAll('email,name\n')).items).toEqual([]);
  });

  it('rejects a header with duplicate or empty names', async () => {
    expect((await failure('email,Email\n')).code).toBe('CSV_BAD_HEADER');
    expect((await failure('email,,name\n')).code).toBe('CSV_BAD_HEADER');
  });

  it('fails on unbalanced quotes with the row where the quote opened', async () => {
    const err = await failure('email,name\na@x.com,ok\nb@x.com,"broken\nc@x.com,x\n');
    expect(err.code).toBe('CSV_UNBALANCED_QUOTES');
    expect(err.rowNumber).toBe(3);
  });

  it('fails on a ragged row, or reports it and goes on', async () => {
    const input = 'email,name\na@x.com\nb@x.com,B\n';
    const err = await failure(input);
    expect([err.code, err.rowNumber]).toEqual(['CSV_RAGGED_ROW', 2]);
    const { items } = await readAll(input, { onRowError: 'report' });
    expect(items).toEqual([
      { rowNumber: 2, error: { code: 'CSV_RAGGED_ROW', message: 'has 1 field, the header has 2' }, values: ['a@x.com'] },
      { rowNumber: 3, record: { email: 'b@x.com', name: 'B' }, values: ['b@x.com', 'B'] },
    ]);
  });

  it('refuses a 10 MB line without holding it, naming its row', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const chunks = [Buffer.from('email,note\na@x.com,ok\nb@x.com,'), ...Array.from({ length: 10 }, () => Buffer.from(big)), Buffer.from('\n')];
    const reader = new CsvReader({ maxLineLength: 64 * 1024 });
    let err: unknown;
    try {
      for await (const _ of reader.read(Readable.from(chunks))) {
        /* consume */
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvError);
    expect((err as CsvError).code).toBe('CSV_LINE_TOO_LONG');
    expect((err as CsvError).rowNumber).toBe(3);
  });

  it('reads a file split at any byte, even inside a multi-byte character', async () => {
    const bytes = Buffer.from('email,name\nj@x.com,Jürgen Ørsted\n');
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const { items } = await readAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(items[0]!.record).toEqual({ email: 'j@x.com', name: 'Jürgen Ørsted' });
    }
  });
});

describe('createCsvWriter', () => {
  it('writes RFC 4180 with CRLF and quotes only where needed', async () => {
    const csv = await write(
      [
        { a: 'plain', b: 'with, comma', c: 'say "hi"' },
        { a: 'multi\nline', b: null, c: undefined },
      ],
      { columns: ['a', 'b', 'c'] },
    );
    expect(csv).toBe('a,b,c\r\nplain,"with, comma","say ""hi"""\r\n"multi\nline",,\r\n');
  });

  it('escapes formulas for people, and not for machine-to-machine files', async () => {
    const rows = [{ v: '=SUM(A1:A2)' }, { v: '+1' }, { v: '-2' }, { v: '@cmd' }, { v: 'safe' }];
    expect(await write(rows, { columns: ['v'] })).toBe("v\r\n'=SUM(A1:A2)\r\n'+1\r\n'-2\r\n'@cmd\r\nsafe\r\n");
    expect(await write(rows, { columns: ['v'], escapeFormulas: false })).toBe('v\r\n=SUM(A1:A2)\r\n+1\r\n-2\r\n@cmd\r\nsafe\r\n');
    expect(escapeFormula('\tx')).toBe("'\tx");
  });

  it('round-trips through the reader unchanged', async () => {
    const rows = [
      { email: 'a@x.com', note: 'x;y, "z"\nw' },
      { email: 'b@x.com', note: '' },
    ];
    const csv = await write(rows, { columns: ['email', 'note'], escapeFormulas: false, delimiter: ';', bom: true });
    const { items } = await readAll(csv);
    expect(items.map((i) => i.record)).toEqual(rows);
  });
});
