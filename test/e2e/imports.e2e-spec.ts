import { ObjectStorage, parseStorageConfig } from '@custodian/storage';
import { EventTap, stackEnv, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';

type Api = ReturnType<TestSystem['client']>;

describe('imports through the gateway', () => {
  const system = new TestSystem(['contacts']);
  const workspace = uniqueWorkspace('imp');
  const tap = new EventTap(workspace);
  const storage = new ObjectStorage(parseStorageConfig(stackEnv()));
  let api: Api;
  let token: string;

  beforeAll(async () => {
    await Promise.all([system.start(), tap.start()]);
    token = system.token({ workspace, client: 'app', sub: 'importer' });
    api = system.client(token);
  });
  afterAll(async () => {
    await Promise.all([system.stop(), tap.stop()]);
  });

  async function upload(file: string | Uint8Array, fields: Record<string, string>, options: { token?: string; idempotencyKey?: string } = {}) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new Blob([typeof file === 'string' ? file : Buffer.from(file)], { type: 'text/csv' }), 'contacts.csv');
    const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? token}` };
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const res = await fetch(`${system.gatewayUrl}/v1/imports`, { method: 'POST', body: form, headers });
    return { status: res.status, location: res.headers.get('location'), body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  async function finished(id: string, client: Api = api) {
    return waitFor(
      async () => {
        const res = await client('GET', `/v1/imports/${id}`);
        return ['succeeded', 'failed', 'discarded'].includes(res.body.status) ? res.body : null;
      },
      { timeoutMs: 30_000, what: `import ${id}` },
    );
  }

  async function importCsv(file: string | Uint8Array, fields: Record<string, string>, client: Api = api, options = {}) {
    const started = await upload(file, fields, options);
    expect(started.status).toBe(202);
    expect(started.location).toBe(`/v1/imports/${started.body.id}`);
    return finished(started.body.id, client);
  }

  async function newList(name: string, client: Api = api) {
    return (await client('POST', '/v1/lists', { name })).body.id as string;
  }

  async function members(listId: string, client: Api = api) {
    const res = await client('GET', `/v1/lists/${listId}/members?limit=500`);
    return Object.fromEntries(res.body.items.map((m: { email: string; status: string }) => [m.email, m.status]));
  }

  it('rejects a row holding a NUL byte with its row number, and imports the rest', async () => {
    const listId = await newList('NUL list');
    const job = await importCsv('email,firstName\nnul-a@example.com,A\u0000da\nnul-b@example.com,Bob\n', { listId, mode: 'upsert' });
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ rows: 2, created: 1, failed: 1 });
    expect(await members(listId)).toEqual({ 'nul-b@example.com': 'subscribed' });
    const redirect = await fetch(`${system.gatewayUrl}${job.links.rejectedRows}`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    const rejected = (await (await fetch(redirect.headers.get('location')!)).text()).trim().split(/\r\n/);
    expect(rejected[1]).toMatch(/^2,"the row holds a NUL character \(U\+0000\), which cannot be stored",nul-a@example\.com,/);
  });

  it('upserts, applies a status column, reports rejected rows with their row numbers and reasons', async () => {
    const listId = await newList('Upsert list');
    await api('POST', '/v1/contacts', { email: 'known@example.com', firstName: 'Old', lists: [{ listId, status: 'subscribed' }] });
    const csv =
      'email,firstName,status,city\n' +
      'known@example.com,New,unsubscribed,Rome\n' +
      'fresh@example.com,Fresh,,Oslo\n' +
      'not-an-email,X,,\n' +
      'FRESH@example.com,Dup,,\n' +
      'odd@example.com,Odd,maybe,\n';
    const job = await importCsv(csv, { listId, mode: 'upsert' });
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ rows: 5, created: 1, updated: 1, unchanged: 0, skipped: 0, failed: 3, statusColumn: true });
    expect(job.progress).toEqual({ done: 5, total: 5 });
    expect(await members(listId)).toEqual({ 'known@example.com': 'unsubscribed', 'fresh@example.com': 'subscribed' });
    const known = (await api('GET', '/v1/contacts?email=known@example.com')).body.items[0];
    expect(known).toMatchObject({ firstName: 'New', fields: { city: 'Rome' } });

    expect(job.links.rejectedRows).toBe(`/v1/imports/${job.id}/rejected-rows`);
    const redirect = await fetch(`${system.gatewayUrl}${job.links.rejectedRows}`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const rejected = await (await fetch(redirect.headers.get('location')!)).text();
    const lines = rejected.trim().split(/\r\n/);
    expect(lines[0]).toBe('row,reason,email,firstName,status,city');
    expect(lines.slice(1)).toEqual([
      '4,"""not-an-email"" is not a valid email address",not-an-email,X,,',
      '6,"status ""maybe"" is not one of subscribed, unsubscribed, bounced, unconfirmed",odd@example.com,Odd,maybe,',
      '5,duplicate email in the file (first seen on row 3),FRESH@example.com,,,',
    ]);
    const completed = await tap.waitFor('events.contacts.import.completed.v1', (d) => d.jobId === job.id);
    expect(completed.envelope).toMatchObject({ origin: 'app', actor: { id: 'importer' }, data: { created: 1, updated: 1, failed: 3 } });
  });

  it('never re-subscribes someone who unsubscribed or bounced when the file has no status column', async () => {
    const listId = await newList('No status column');
    const a = (await api('POST', '/v1/contacts', { email: 'unsub@example.com', lists: [{ listId, status: 'unsubscribed' }] })).body;
    await api('POST', '/v1/contacts', { email: 'bounced@example.com', lists: [{ listId, status: 'bounced' }] });
    const job = await importCsv('email;first_name\nunsub@example.com;U\nbounced@example.com;B\nnew@example.com;N\n', { listId, mode: 'upsert' });
    expect(job.result).toMatchObject({ delimiter: ';', statusColumn: false, created: 1, updated: 2, failed: 0 });
    expect(await members(listId)).toEqual({ 'unsub@example.com': 'unsubscribed', 'bounced@example.com': 'bounced', 'new@example.com': 'subscribed' });
    expect((await api('GET', `/v1/contacts/${a.id}`)).body.firstName).toBe('U');
  });

  it('adds only new contacts in add mode and changes only existing ones in update mode', async () => {
    const listId = await newList('Modes');
    await api('POST', '/v1/contacts', { email: 'existing@example.com', firstName: 'Before' });
    const added = await importCsv('email,firstName\nexisting@example.com,After\nbrand-new@example.com,New\n', { listId, mode: 'add' });
    expect(added.result).toMatchObject({ created: 1, updated: 0, skipped: 1, failed: 0 });
    expect((await api('GET', '/v1/contacts?email=existing@example.com')).body.items[0].firstName).toBe('Before');

    const updated = await importCsv('email,firstName\nexisting@example.com,After\nnobody@example.com,Nobody\n', { listId, mode: 'update' });
    expect(updated.result).toMatchObject({ created: 0, updated: 1, skipped: 1 });
    expect((await api('GET', '/v1/contacts?email=existing@example.com')).body.items[0].firstName).toBe('After');
    expect((await api('GET', '/v1/contacts?email=nobody@example.com')).body.items).toEqual([]);

    const again = await importCsv('email,firstName\nexisting@example.com,After\n', { listId, mode: 'upsert' });
    expect(again.result).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
  });

  it('validates everything in a dry run and writes nothing', async () => {
    const listId = await newList('Dry run');
    const job = await importCsv('email\ndry-1@example.com\ndry-2@example.com\nbad\n', { listId, mode: 'upsert', dryRun: 'true' });
    expect(job.result).toMatchObject({ dryRun: true, rows: 3, created: 2, failed: 1 });
    expect(await members(listId)).toEqual({});
    expect((await api('GET', '/v1/contacts?email=dry-1@example.com')).body.items).toEqual([]);
  });

  it('backs the list up before a back-office import, and not for API clients', async () => {
    const listId = await newList('Backed up');
    await api('POST', '/v1/contacts', { email: 'before@example.com', lists: [{ listId, status: 'unsubscribed' }] });
    const job = await importCsv('email\nafter@example.com\n', { listId, mode: 'upsert' });
    const snapshot = await tap.waitFor('events.contacts.list-snapshot.created.v1', (d) => d.jobId === job.id);
    expect(snapshot.envelope.data).toMatchObject({ listId, listName: 'Backed up', reason: 'import', rows: 1, causeOrigin: 'app', requestedBy: 'importer' });
    expect(job.result.snapshotId).toBe(snapshot.envelope.data.snapshotId);

    const apiToken = system.token({ workspace, client: 'api' });
    const apiJob = await importCsv('email\nvia-api@example.com\n', { listId, mode: 'upsert' }, system.client(apiToken), { token: apiToken });
    expect(apiJob.status).toBe('succeeded');
    expect(apiJob.result.snapshotId).toBeNull();
    await tap.waitFor('events.contacts.import.completed.v1', (d) => d.jobId === apiJob.id);
    expect(tap.of('events.contacts.list-snapshot.created.v1').filter((e) => e.envelope.data.jobId === apiJob.id)).toEqual([]);

    // A back-office import that fails leaves no backup behind: nothing would record it, nor ever remove it.
    const backupFiles = async () => {
      const keys: string[] = [];
      for await (const o of storage.list('backups', `${workspace}/backups/`)) keys.push(o.key);
      return keys.sort();
    };
    const before = await backupFiles();
    expect(before).toContain(snapshot.envelope.data.key);
    const failed = await importCsv('name\nno email column\n', { listId, mode: 'upsert' });
    expect(failed.status).toBe('failed');
    expect(await backupFiles()).toEqual(before);
  });

  it('refuses a multipart body that ends inside the file, and keeps serving', async () => {
    const boundary = 'cut-short-boundary';
    const cut = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="contacts.csv"\r\nContent-Type: text/csv\r\n\r\nemail\na@example.com\nb@exa`;
    const res = await fetch(`${system.gatewayUrl}/v1/imports`, {
      method: 'POST',
      body: cut,
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([422, 'VALIDATION_FAILED']);
    expect((await api('GET', '/v1/lists')).status).toBe(200);
  });

  it('answers a retried request with the same Idempotency-Key with the same job, and refuses the key for another request', async () => {
    const listId = await newList('Idempotent');
    const first = await upload('email\nonce@example.com\n', { listId, mode: 'upsert' }, { idempotencyKey: 'key-1' });
    const retry = await upload('email\nonce@example.com\n', { listId, mode: 'upsert' }, { idempotencyKey: 'key-1' });
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.body.id).toBe(first.body.id);
    const other = await upload('email\nsomeone-else@example.com\n', { listId, mode: 'upsert' }, { idempotencyKey: 'key-1' });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await finished(first.body.id)).result).toMatchObject({ created: 1 });
  });

  it('fails on a stray quote by default with its row; with quotes=lenient keeps it as a character and lists the repaired rows', async () => {
    const csv = `email,firstName,height,place\nq1@example.com,Ann,tall,"Rome, IT"\nq2@example.com,Ben,5'11",37°36'37.8"N\nq3@example.com,Cy,"say ""hi""",Oslo\n`;
    const strictList = await newList('Strict quotes');
    const strict = await importCsv(csv, { listId: strictList, mode: 'upsert' });
    expect(strict.status).toBe('failed');
    expect(strict.error).toEqual({ code: 'CSV_STRAY_QUOTE', message: expect.stringMatching(/^row 3: column 3 \("height"\): .*quotes=lenient/) });
    expect(await members(strictList)).toEqual({});

    const listId = await newList('Lenient quotes');
    const job = await importCsv(csv, { listId, mode: 'upsert', quotes: 'lenient' });
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ rows: 3, created: 3, failed: 0, repaired: 1, rejectsKey: null });
    expect((await api('GET', '/v1/contacts?email=q2@example.com')).body.items[0].fields).toEqual({ height: `5'11"`, place: `37°36'37.8"N` });
    expect((await api('GET', '/v1/contacts?email=q3@example.com')).body.items[0].fields).toEqual({ height: 'say "hi"', place: 'Oslo' });
    expect(job.links).toEqual({ self: `/v1/imports/${job.id}`, repairedRows: `/v1/imports/${job.id}/repaired-rows` });
    const redirect = await fetch(`${system.gatewayUrl}${job.links.repairedRows}`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const lines = (await (await fetch(redirect.headers.get('location')!)).text()).trim().split(/\r\n/);
    expect(lines).toEqual([
      'row,repair,email,firstName,height,place',
      '3,"column 3 (""height""): a quote inside an unquoted field was kept as a character; column 4 (""place""): a quote inside an unquoted field was kept as a character",' +
        `q2@example.com,Ben,"5'11""","37°36'37.8""N"`,
    ]);
    const completed = await tap.waitFor('events.contacts.import.completed.v1', (d) => d.jobId === job.id);
    expect(completed.envelope.data).toMatchObject({ created: 3, repaired: 1, repairsKey: expect.stringContaining('-repaired.csv') });
    // An import without repairs has no such file.
    const plain = await importCsv('email\nq4@example.com\n', { listId, mode: 'upsert', quotes: 'lenient' });
    expect([plain.result.repaired, plain.links.repairedRows]).toEqual([0, undefined]);
    expect((await api('GET', `/v1/imports/${plain.id}/repaired-rows`)).status).toBe(404);
    const bad = await upload(csv, { listId, mode: 'upsert', quotes: 'loose' });
    expect([bad.status, bad.body.errors.map((e: { path: string }) => e.path)]).toEqual([422, ['quotes']]);
  });

  describe('bad files', () => {
    let listId: string;
    beforeAll(async () => {
      listId = await newList('Bad files');
    });

    it.each([
      ['an empty file', '', 'CSV_EMPTY'],
      ['unbalanced quotes', 'email,name\na@x.com,"open\nb@x.com,b\n', 'CSV_UNBALANCED_QUOTES'],
      ['a header without an email column', 'name,city\nA,B\n', 'IMPORT_FILE_INVALID'],
      ['a duplicated header', 'email,Email\na@x.com,b\n', 'CSV_BAD_HEADER'],
    ])('%s fails the job with a clear code and writes nothing', async (_name, file, code) => {
      const job = await importCsv(file, { listId, mode: 'upsert' });
      expect(job.status).toBe('failed');
      expect(job.error.code).toBe(code);
      expect(await members(listId)).toEqual({});
    });

    it('a 10 MB line fails with the row it is on', async () => {
      const file = `email,note\nok@x.com,fine\nbig@x.com,${'x'.repeat(10 * 1024 * 1024)}\n`;
      const job = await importCsv(file, { listId, mode: 'upsert' });
      expect(job.error).toEqual({ code: 'CSV_LINE_TOO_LONG', message: expect.stringMatching(/^row 3:/) });
      expect(await members(listId)).toEqual({});
    });

    it('ragged rows are rejected one by one and the rest imported', async () => {
      const own = await newList('Ragged');
      const job = await importCsv('email,name\nr1@x.com,A\nr2@x.com\nr3@x.com,C,extra\nr4@x.com,D\n', { listId: own, mode: 'upsert' });
      expect(job.result).toMatchObject({ rows: 4, created: 2, failed: 2 });
      expect(Object.keys(await members(own)).sort()).toEqual(['r1@x.com', 'r4@x.com']);
    });

    it('a Latin-1 file and a BOM are read correctly; a header-only file imports nothing', async () => {
      const own = await newList('Encodings');
      const latin1 = Uint8Array.from([...Buffer.from('email,name\nlatin@x.com,Ren'), 0xe9, 0x0a]);
      const l = await importCsv(latin1, { listId: own, mode: 'upsert' });
      expect(l.result).toMatchObject({ encoding: 'windows-1252', created: 1 });
      expect((await api('GET', '/v1/contacts?email=latin@x.com')).body.items[0].fields).toEqual({ name: 'René' });
      const bom = await importCsv(`\uFEFFemail,firstName\nbom@x.com,Zoë\n`, { listId: own, mode: 'upsert' });
      expect(bom.result).toMatchObject({ encoding: 'utf-8', created: 1 });
      expect((await api('GET', '/v1/contacts?email=bom@x.com')).body.items[0].firstName).toBe('Zoë');
      const headerOnly = await importCsv('email,firstName\n', { listId: own, mode: 'upsert' });
      expect(headerOnly.result).toMatchObject({ rows: 0, created: 0, failed: 0 });
    });

    it('refuses bad requests before starting a job', async () => {
      const noList = await upload('email\na@x.com\n', { mode: 'upsert' });
      expect(noList.status).toBe(422);
      expect(noList.body.errors.map((e: { path: string }) => e.path)).toContain('listId');
      const badMode = await upload('email\na@x.com\n', { listId, mode: 'merge' });
      expect(badMode.body.errors.map((e: { path: string }) => e.path)).toContain('mode');
      const badMapping = await upload('email\na@x.com\n', { listId, mode: 'add', mapping: '{not json' });
      expect(badMapping.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'mapping' }] });
      const foreignKey = await api('POST', '/v1/imports', { listId, mode: 'add', objectKey: 'someone-else/imports/2026/01/01/x.csv' });
      expect(foreignKey.body.errors[0].path).toBe('objectKey');
      const member = system.client(system.token({ workspace, role: 'member' }));
      expect((await member('POST', '/v1/imports', { listId, mode: 'add', objectKey: `${workspace}/imports/x.csv` })).status).toBe(403);
      // The command's internal flags are the backups service's: a caller cannot restore a backup's file unprotected or force a backup.
      for (const flags of [{ source: 'backups' }, { protectOptOuts: false }, { snapshotFirst: true }, { fileSha256: 'a'.repeat(64) }]) {
        const refused = await api('POST', '/v1/imports', { listId, mode: 'upsert', objectKey: `${workspace}/backups/2026/01/01/x.csv`, ...flags });
        expect([refused.status, refused.body.code, refused.body.errors.map((e: { path: string }) => e.path)]).toEqual([
          422,
          'VALIDATION_FAILED',
          Object.keys(flags),
        ]);
      }
    });
  });
});
