import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, CsvReader, createCsvWriter, detectDelimiter, escapeFormula, repairSummary, spreadsheetSafeCsv, type CsvItem } from './index.js';

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

describe('CsvReader quotes', () => {
  const heights = 'email,height,place\na@x.com,tall,"Rome, IT"\nb@x.com,5\'11",37°36\'37.8"N\nc@x.com,"say ""hi""",Oslo\n';

  it('refuses a quote inside an unquoted field by default, naming the row, the column and the way out', async () => {
    const err = await failure(heights);
    expect([err.code, err.rowNumber]).toEqual(['CSV_STRAY_QUOTE', 3]);
    expect(err.message).toMatch(/^row 3: column 2 \("height"\): a quote inside a field that does not start with one.*quotes=lenient/);
  });

  it('reads such quotes as characters when lenient, and reports each repaired row with its columns', async () => {
    const { items } = await readAll(heights, { quotes: 'lenient' });
    expect(items).toEqual([
      { rowNumber: 2, record: { email: 'a@x.com', height: 'tall', place: 'Rome, IT' }, values: ['a@x.com', 'tall', 'Rome, IT'] },
      {
        rowNumber: 3,
        record: { email: 'b@x.com', height: '5\'11"', place: '37°36\'37.8"N' },
        values: ['b@x.com', '5\'11"', '37°36\'37.8"N'],
        repairs: [
          { column: 2, message: 'column 2 ("height"): a quote inside an unquoted field was kept as a character' },
          { column: 3, message: 'column 3 ("place"): a quote inside an unquoted field was kept as a character' },
        ],
      },
      { rowNumber: 4, record: { email: 'c@x.com', height: 'say "hi"', place: 'Oslo' }, values: ['c@x.com', 'say "hi"', 'Oslo'] },
    ]);
  });

  it('keeps a repair note short whatever the file: long column names are cut, and past ten repairs a row says how many more', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `${i}${'n'.repeat(200)}`);
    const { items } = await readAll(`email,${names.join(',')}\na@x.com,${names.map(() => 'x"').join(',')}\n`, { quotes: 'lenient' });
    const repairs = items[0]!.repairs!;
    expect(repairs).toHaveLength(12);
    expect(repairs[0]!.message).toBe(`column 2 ("0${'n'.repeat(63)}…"): a quote inside an unquoted field was kept as a character`);
    const summary = repairSummary(repairs);
    expect(summary.split('; ')).toHaveLength(11);
    expect(summary).toMatch(/; and 2 more$/);
    expect(repairSummary(repairs.slice(0, 2))).toBe(`${repairs[0]!.message}; ${repairs[1]!.message}`);
  });

  it('never lets a lenient quote inside a field open a quoted one: the line still ends the row', async () => {
    const { items } = await readAll('email,note\na@x.com,x"y\nb@x.com,z\n', { quotes: 'lenient' });
    expect(items.map((i) => [i.rowNumber, i.values])).toEqual([
      [2, ['a@x.com', 'x"y']],
      [3, ['b@x.com', 'z']],
    ]);
  });

  it('refuses text after a closing quote by default; lenient keeps that field as written, quotes included', async () => {
    const input = 'email,note\na@x.com,"He said "hi" there"\nb@x.com,"abc"def\n';
    const err = await failure(input);
    expect([err.code, err.rowNumber]).toEqual(['CSV_UNBALANCED_QUOTES', 2]);
    expect(err.message).toMatch(/column 2 \("note"\): text follows the closing quote/);
    const { items } = await readAll(input, { quotes: 'lenient' });
    expect(items.map((i) => [i.rowNumber, i.values, i.repairs?.map((r) => r.column)])).toEqual([
      [2, ['a@x.com', '"He said "hi" there"'], [2]],
      [3, ['b@x.com', '"abc"def'], [2]],
    ]);
  });

  it('refuses a quoted field that is never closed, in both modes, with the row it starts on', async () => {
    for (const quotes of ['strict', 'lenient'] as const) {
      const err = await failure('email,note\na@x.com,ok\nb@x.com,"never closed\nc@x.com,x\n', { quotes });
      expect([quotes, err.code, err.rowNumber, err.message]).toEqual([
        quotes,
        'CSV_UNBALANCED_QUOTES',
        3,
        'row 3: column 2 ("note"): a quoted field is never closed (unbalanced quotes)',
      ]);
    }
  });

  it('reports a repaired header apart from the rows', async () => {
    const { items, reader } = await readAll('email,size 5"\na@x.com,M\n', { quotes: 'lenient' });
    expect(reader.info?.header).toEqual(['email', 'size 5"']);
    expect(reader.info?.headerRepairs).toEqual([{ column: 2, message: 'column 2: a quote inside an unquoted field was kept as a character' }]);
    expect(items[0]!.repairs).toBeUndefined();
  });

  it('reads the same records however the file is cut into chunks', async () => {
    const input = 'email,note,n\r\na@x.com,"multi\r\nline ""quoted""",1\r\nb@x.com,x"y,2\rc@x.com,"ab"c,3\n\nd@x.com,,\ne@x.com,"",5';
    const whole = await readAll(input, { quotes: 'lenient' });
    expect(whole.items.map((i) => [i.rowNumber, i.values])).toEqual([
      [2, ['a@x.com', 'multi\r\nline "quoted"', '1']],
      [4, ['b@x.com', 'x"y', '2']],
      [5, ['c@x.com', '"ab"c', '3']],
      [7, ['d@x.com', '', '']],
      [8, ['e@x.com', '', '5']],
    ]);
    for (let cut = 1; cut < input.length; cut += 1) {
      const { items } = await readAll([Buffer.from(input.slice(0, cut)), Buffer.from(input.slice(cut))], { quotes: 'lenient' });
      expect([cut, items]).toEqual([cut, whole.items]);
    }
    const { items } = await readAll(
      [...input].map((ch) => Buffer.from(ch)),
      { quotes: 'lenient' },
    );
    expect(items).toEqual(whole.items);
  });
});

describe('CsvReader limits', () => {
  it('refuses a header of 100,000 empty columns', async () => {
    const err = await failure(`email${','.repeat(100_000)}\na@x.com\n`);
    expect([err.code, err.rowNumber, err.message]).toEqual(['CSV_TOO_MANY_COLUMNS', 1, 'row 1: a record has more than 1000 columns']);
  });

  it('refuses a row of a hundred million empty columns after reading its first chunk, in report mode too', async () => {
    let chunksRead = 0;
    let closed = false;
    const commas = Buffer.from(','.repeat(64 * 1024));
    async function* bomb() {
      try {
        yield Buffer.from('email,name\na@x.com,A\nb@x.com');
        for (let i = 0; i < 1600; i += 1) {
          chunksRead += 1;
          yield commas;
        }
      } finally {
        closed = true;
      }
    }
    const reader = new CsvReader({ maxColumns: 50, onRowError: 'report' });
    let err: unknown;
    try {
      for await (const _ of reader.read(bomb())) {
        /* consume */
      }
    } catch (e) {
      err = e;
    }
    expect([(err as CsvError).code, (err as CsvError).rowNumber]).toEqual(['CSV_TOO_MANY_COLUMNS', 3]);
    // The sample the encoding is detected on, and not much more; then the source is closed.
    expect(chunksRead).toBeLessThan(5);
    expect(closed).toBe(true);
  });

  it('counts delimiters and quotes in the length of a line', async () => {
    const err = await failure(`email,a,b\nx@y.com,${'"",'.repeat(600)}\n`, { maxLineLength: 1024, maxColumns: 10_000 });
    expect([err.code, err.rowNumber]).toEqual(['CSV_LINE_TOO_LONG', 2]);
  });

  it('ends a row at LF, CRLF or a lone CR, counting lines', async () => {
    const { items } = await readAll('email\rb@x.com\r\nc@x.com\nd@x.com\r\re@x.com');
    expect(items.map((i) => [i.rowNumber, i.values[0]])).toEqual([
      [2, 'b@x.com'],
      [3, 'c@x.com'],
      [4, 'd@x.com'],
      [6, 'e@x.com'],
    ]);
  });
});

describe('spreadsheetSafeCsv', () => {
  async function safe(chunks: Buffer[]): Promise<Buffer> {
    const out: Buffer[] = [];
    await pipeline(Readable.from(chunks), spreadsheetSafeCsv(), async (s: AsyncIterable<Buffer>) => {
      for await (const c of s) out.push(Buffer.from(c));
    });
    return Buffer.concat(out);
  }

  const exact = 'email,note,n\na@x.com,=1+2,-5\nb@x.com,"=HYPERLINK(""http://x"")",@cmd\nc@x.com,"\ttab",a=b\nd@x.com,"""=not",""\ne@x.com,"\r\nline",+49 30\n';

  it('prefixes every cell that starts like a formula with a quote, adds a BOM, and leaves every other byte as it was', async () => {
    const out = await safe([Buffer.from(exact)]);
    expect(out.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(out.subarray(3).toString('utf8')).toBe(
      'email,note,n\na@x.com,\'=1+2,\'-5\nb@x.com,"\'=HYPERLINK(""http://x"")",\'@cmd\nc@x.com,"\'\ttab",a=b\nd@x.com,"""=not",""\ne@x.com,"\'\r\nline",\'+49 30\n',
    );
    // Read back, each value is what escapeFormula makes of the original.
    const original = (await readAll(exact)).items.map((i) => i.values);
    const read = (await readAll(out)).items.map((i) => i.values);
    expect(read).toEqual(original.map((values) => values.map(escapeFormula)));
  });

  it('gives the same bytes however the file is cut, inside multi-byte characters too', async () => {
    const input = Buffer.from(`${exact}f@x.com,"=Jürgen, Ørsted",-ü\n`);
    const whole = await safe([input]);
    for (let cut = 1; cut < input.length; cut += 1) {
      expect([cut, await safe([input.subarray(0, cut), input.subarray(cut)])]).toEqual([cut, whole]);
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
