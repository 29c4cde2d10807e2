import { randomUUID } from 'node:crypto';
import { databaseQuery, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';

/** Requests made to hurt: each gets a clear answer, and the services stay up for everyone else. */
describe('hostile callers', () => {
  const system = new TestSystem(['contacts', 'interactions', 'backups']);
  beforeAll(() => system.start());
  afterAll(() => system.stop());

  const anonymous = async (method: string, path: string) => {
    const res = await fetch(`${system.gatewayUrl}${path}`, { method });
    return { status: res.status, body: (await res.json().catch(() => null)) as { code?: string } | null };
  };

  it('needs a token on every route whatever the spelling of its path, and its role there too; health and metrics are open', async () => {
    const workspace = uniqueWorkspace('case');
    for (const path of ['/V1/contacts', '/v1/CONTACTS', '/V1/Lists', '/v1/contacts/']) {
      const res = await anonymous('GET', path);
      expect([path, res.status, res.body?.code]).toEqual([path, 401, 'UNAUTHENTICATED']);
    }
    const member = system.client(system.token({ workspace, role: 'member' }));
    const owner = system.client(system.token({ workspace, role: 'owner' }));
    const contact = (await owner('POST', '/v1/contacts', { email: 'case@example.com' })).body;
    const refused = await member('DELETE', `/V1/CONTACTS/${contact.id}`);
    expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await owner('GET', `/v1/contacts/${contact.id}`)).status).toBe(200);
    expect((await anonymous('GET', '/health/live')).status).toBe(200);
    expect((await anonymous('GET', '/metrics')).status).toBe(200);
  });

  it('refuses a contact too big for any reply, naming the size, and the workspace stays readable', async () => {
    const workspace = uniqueWorkspace('huge');
    const api = system.client(system.token({ workspace }));
    // A 300 KB field made every page of the workspace unanswerable.
    const huge = await api('POST', '/v1/contacts', { email: 'huge@example.com', fields: { notes: 'x'.repeat(300_000) } });
    expect([huge.status, huge.body.code, huge.body.errors?.[0]?.path]).toEqual([422, 'VALIDATION_FAILED', 'fields']);
    expect((await api('GET', '/v1/contacts')).status).toBe(200);
  });

  it('answers a page of large contacts with fewer items than the limit and a cursor, and the cursors lead through every contact once', async () => {
    const workspace = uniqueWorkspace('big');
    const api = system.client(system.token({ workspace }));
    // Twenty contacts of 100 KB of fields each, 2 MB in all: more than one answer can carry. Written directly, in one
    // statement (so with one creation time: the cursor's id decides), whatever the API's limits on fields.
    await databaseQuery(
      `insert into contacts.contact (workspace_id, email, fields)
      select $1, 'big-' || i || '@example.com', jsonb_build_object('notes', repeat('x', 100000)) from generate_series(1, 20) i`,
      [workspace],
    );
    const first = await api('GET', '/v1/contacts?limit=20');
    expect(first.status).toBe(200);
    expect(first.body.items.length).toBeGreaterThan(0);
    expect(first.body.items.length).toBeLessThan(20);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const seen: string[] = first.body.items.map((c: { email: string }) => c.email);
    let cursor: string | null = first.body.nextCursor;
    for (let pages = 1; cursor && pages < 25; pages += 1) {
      const page = await api('GET', `/v1/contacts?limit=20&cursor=${encodeURIComponent(cursor)}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((c: { email: string }) => c.email));
      cursor = page.body.nextCursor;
    }
    expect(cursor).toBeNull();
    expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `big-${i + 1}@example.com`).sort());
    expect((await fetch(`http://127.0.0.1:${system.service('contacts').httpPort}/health/ready`)).status).toBe(200);
  });
  it('refuses a timestamp PostgreSQL cannot read (an ISO 8601 week date) with the path of the field, instead of failing in the database', async () => {
    const workspace = uniqueWorkspace('week');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const campaign = (await api('POST', '/v1/campaigns', { name: 'Week dates' })).body;
    const interaction = (at: string) => ({ id: randomUUID(), programId: campaign.id, contactId: randomUUID(), type: 'opened', at });
    for (const at of ['2026-W48-1T10:00:00Z', '2026-335T10:00:00Z', '20261201T100000Z']) {
      const refused = await api('POST', '/v1/interactions', { interactions: [interaction(at)] });
      expect([at, refused.status, refused.body.code, refused.body.errors?.[0]?.path]).toEqual([at, 422, 'VALIDATION_FAILED', 'interactions.0.at']);
    }
    const stored = await api('POST', '/v1/interactions', { interactions: [interaction('2026-12-01T10:00:00.000Z'), interaction('2026-12-01T11:00:00+01:00')] });
    expect([stored.status, stored.body.stored]).toEqual([200, 2]);
  });
  it('answers each abusive request with a clear problem, and leaves the services and another workspace as they were', async () => {
    const workspace = uniqueWorkspace('abuse');
    const other = uniqueWorkspace('bystander');
    const api = system.client(system.token({ workspace }));
    const bystander = system.client(system.token({ workspace: other }));
    await bystander('POST', '/v1/contacts', { email: 'bystander@example.com', firstName: 'Untouched' });
    const before = (await bystander('GET', '/v1/contacts')).body;
    const bearer = { authorization: `Bearer ${system.token({ workspace })}` };
    const raw = async (method: string, path: string, body: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${system.gatewayUrl}${path}`, { method, body, headers: { ...bearer, 'content-type': 'application/json', ...headers } });
      return { status: res.status, headers: res.headers, body: (await res.json().catch(() => null)) as { code?: string } | null };
    };
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const list = (await api('POST', '/v1/lists', { name: 'Hostile files' })).body;
    /** An upload whose file part has this Content-Disposition (the file name is never used: the object's key is random). */
    const uploadNamed = (disposition: string) => {
      const boundary = `b-${randomUUID()}`;
      const part = (headers: string, content: string) => `--${boundary}\r\n${headers}\r\n\r\n${content}\r\n`;
      const body =
        part('Content-Disposition: form-data; name="listId"', list.id) +
        part('Content-Disposition: form-data; name="mode"', 'upsert') +
        part(`Content-Disposition: ${disposition}\r\nContent-Type: text/csv`, 'email\nnamed@example.com\n') +
        `--${boundary}--\r\n`;
      return raw('POST', '/v1/imports', body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    };
    /** An import of the file: it is accepted (202), and the job's error code is the answer to the file. */
    const importing = async (csv: string) => {
      const started = await raw('POST', `/v1/imports?listId=${list.id}&mode=upsert`, csv, { 'content-type': 'text/csv' });
      if (started.status !== 202) return started;
      const id = (started.body as { id: string }).id;
      const job = await waitFor(
        async () => {
          const j = (await api('GET', `/v1/imports/${id}`)).body;
          return ['succeeded', 'failed', 'discarded'].includes(j.status) ? j : null;
        },
        { timeoutMs: 30_000, what: `import ${id}` },
      );
      return { status: started.status, headers: started.headers, body: { code: job.error?.code ?? job.status } };
    };
    // A back-office import backs its list up: the backup's download is named after the list, a name the user chose.
    const created = await api('POST', '/v1/lists', { name: `evil"\r\nX-Injected: yes\\../${'x'.repeat(150)}` });
    expect(created.status).toBe(201);
    const evil = created.body;
    expect((await raw('POST', `/v1/imports?listId=${evil.id}&mode=upsert`, 'email\nevil@example.com\n', { 'content-type': 'text/csv' })).status).toBe(202);
    const [backup] = await waitFor(
      async () => {
        const items = (await api('GET', `/v1/backups?listId=${evil.id}`)).body.items;
        return items?.length ? items : null;
      },
      { timeoutMs: 20_000, what: 'the backup of the list with the hostile name' },
    );
    const downloaded = async (path: string) => {
      const res = await fetch(`${system.gatewayUrl}${path}`, { headers: bearer, redirect: 'manual' });
      const file = res.status === 302 ? await fetch(res.headers.get('location')!) : res;
      await file.arrayBuffer();
      return { status: file.status, headers: file.headers, body: null };
    };
    const dispositions: string[] = [];
    const cases: [string, () => Promise<{ status: number; headers?: Headers; body: { code?: string } | null }>, number, string | undefined][] = [
      ['a huge limit', () => api('GET', '/v1/contacts?limit=100000000'), 422, 'VALIDATION_FAILED'],
      ['a negative limit', () => api('GET', '/v1/contacts?limit=-1'), 422, 'VALIDATION_FAILED'],
      ['a long cursor', () => api('GET', `/v1/contacts?cursor=${'A'.repeat(8_000)}`), 422, 'VALIDATION_FAILED'],
      ['a cursor that is not ours', () => api('GET', '/v1/contacts?cursor=bm90LWEtY3Vyc29y'), 422, 'VALIDATION_FAILED'],
      ['malformed JSON', () => raw('POST', '/v1/contacts', '{"email": '), 400, 'MALFORMED_JSON'],
      ['deeply nested JSON', () => raw('POST', '/v1/contacts', deep), 422, 'VALIDATION_FAILED'],
      [
        'a body over the limit',
        () => raw('POST', '/v1/contacts', JSON.stringify({ email: 'big@example.com', notes: 'x'.repeat(2 * 1024 * 1024) })),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      ['an unknown route', () => api('GET', '/v1/no-such-thing'), 404, 'ROUTE_NOT_FOUND'],
      ["another workspace's contact", () => api('GET', `/v1/contacts/${before.items[0].id}`), 404, 'NOT_FOUND'],
      ['an id that is not a UUID', () => api('GET', "/v1/contacts/' or 1=1 --"), 422, 'VALIDATION_FAILED'],
      [
        'an upload whose file name holds CR/LF and a header',
        () => uploadNamed('form-data; name="file"; filename="a\r\nX-Injected: yes\r\n.csv"'),
        422,
        'VALIDATION_FAILED',
      ],
      [
        'an upload whose encoded file name holds CR/LF and a header',
        () => uploadNamed('form-data; name="file"; filename*=UTF-8\'\'%0D%0AX-Injected%3A%20yes%22.csv'),
        202,
        undefined,
      ],
      [
        'an upload whose file name holds quotes and path separators',
        () => uploadNamed('form-data; name="file"; filename="..\\\\..\\\\\\"evil\\".csv"'),
        202,
        undefined,
      ],
      ['an upload whose file name is a path out of the folder', () => uploadNamed('form-data; name="file"; filename="../../etc/passwd"'), 202, undefined],
      [
        'an upload whose file name is 100,000 characters long',
        () => uploadNamed(`form-data; name="file"; filename="${'x'.repeat(100_000)}.csv"`),
        422,
        'VALIDATION_FAILED',
      ],
      [
        'the exact download of a backup of a list named with CR/LF, quotes and separators',
        () => downloaded(`/v1/backups/${backup.id}/download`),
        200,
        undefined,
      ],
      ['the spreadsheet download of that backup', () => downloaded(`/v1/backups/${backup.id}/download?format=spreadsheet`), 200, undefined],
      ['a download format given twice', () => api('GET', `/v1/backups/${backup.id}/download?format=spreadsheet&format=exact`), 400, 'MALFORMED_QUERY'],
      ['an import whose header has 100,000 empty columns', () => importing(`email${','.repeat(100_000)}\nbomb@example.com\n`), 202, 'CSV_TOO_MANY_COLUMNS'],
      [
        'an import with a row of 100,000 empty columns',
        () => importing(`email,name\nok@example.com,Ok\nbomb@example.com${','.repeat(100_000)}\n`),
        202,
        'CSV_TOO_MANY_COLUMNS',
      ],
      ['an import that is one line of 5 million commas', () => importing(','.repeat(5_000_000)), 202, 'CSV_TOO_MANY_COLUMNS'],
      ['an import with one 5 MB line', () => importing(`email,note\nbig@example.com,${'x'.repeat(5 * 1024 * 1024)}`), 202, 'CSV_LINE_TOO_LONG'],
      // Query parameters a route does not take, or given twice: refused, never ignored or guessed at.
      ['a limit given twice', () => api('GET', '/v1/contacts?limit=10&limit=20'), 400, 'MALFORMED_QUERY'],
      ['a cursor given twice', () => api('GET', '/v1/lists?cursor=a&cursor=b'), 400, 'MALFORMED_QUERY'],
      ['a misspelt parameter', () => api('GET', '/v1/contacts?limti=10'), 400, 'MALFORMED_QUERY'],
      ['a misspelt parameter of a route that names its own', () => api('GET', '/v1/tags?limti=10'), 400, 'MALFORMED_QUERY'],
      ['a parameter of a route that takes none', () => api('GET', `/v1/contacts/${before.items[0].id}?expand=all`), 400, 'MALFORMED_QUERY'],
      ['a parameter in brackets', () => api('GET', '/v1/contacts?limit[gt]=1'), 400, 'MALFORMED_QUERY'],
      ['a parameter the route sets itself', () => api('GET', '/v1/campaigns?kind=canvas'), 400, 'MALFORMED_QUERY'],
    ];
    for (const [what, call, status, code] of cases) {
      const res = await call();
      expect([what, res.status, res.body?.code]).toEqual([what, status, code]);
      // No name a caller chose ever becomes a header of its own, or breaks out of its quotes.
      expect([what, res.headers?.get('x-injected') ?? null]).toEqual([what, null]);
      const disposition = res.headers?.get('content-disposition');
      if (disposition) dispositions.push(disposition);
    }
    expect(dispositions).toEqual([
      expect.stringMatching(/^attachment; filename="backup-evil_X-Injected_yes_\.\._x+-\d{4}-\d{2}-\d{2}\.csv"$/),
      expect.stringMatching(/^attachment; filename="backup-evil_X-Injected_yes_\.\._x+-\d{4}-\d{2}-\d{2}-spreadsheet\.csv"$/),
    ]);
    expect(dispositions.every((d) => d.length <= 'attachment; filename=""'.length + 150)).toBe(true);
    // A refused query parameter is named, in the problem and in its errors.
    const twice = await api('GET', '/v1/contacts?limit=10&limit=20');
    expect([twice.body.errors, twice.body.detail]).toEqual([[{ path: 'limit', message: 'is given more than once' }], expect.stringMatching(/"limit"/)]);
    const typo = await api('GET', '/v1/contacts?limti=10');
    expect([typo.body.errors[0].path, typo.body.detail]).toEqual([
      'limti',
      expect.stringMatching(/"limti".*takes email, listId, tag, accountId, cursor, limit/),
    ]);
    // A request line past the HTTP server's header limit never reaches the gateway's code: Node answers it.
    expect((await api('GET', `/v1/contacts?cursor=${'A'.repeat(20_000)}`)).status).toBe(431);
    for (const app of ['contacts', 'interactions', 'backups']) {
      expect((await fetch(`http://127.0.0.1:${system.service(app).httpPort}/health/ready`)).status).toBe(200);
    }
    expect((await bystander('GET', '/v1/contacts')).body).toEqual(before);
  });
});
