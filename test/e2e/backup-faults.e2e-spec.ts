import { createHash } from 'node:crypto';
import { ObjectStorage, parseStorageConfig } from '@custodian/storage';
import { databaseQuery, stackEnv, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';

type Api = ReturnType<TestSystem['client']>;

async function startImport(system: TestSystem, token: string, listId: string, csv: string): Promise<string> {
  const res = await fetch(`${system.gatewayUrl}/v1/imports?listId=${listId}&mode=upsert`, {
    method: 'POST',
    body: csv,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const final = (api: Api, path: string, timeoutMs = 60_000) =>
  waitFor(
    async () => {
      const job = (await api('GET', path)).body;
      return ['succeeded', 'failed', 'discarded'].includes(job.status) ? job : null;
    },
    { timeoutMs, intervalMs: 100, what: path },
  );

describe('backups under faults', () => {
  const system = new TestSystem(['contacts', 'backups'], { CONTACTS_JOB_LEASE: '2s' });
  const workspace = uniqueWorkspace('bkf');
  const storage = new ObjectStorage(parseStorageConfig(stackEnv()));
  let appToken: string;
  let api: Api;

  beforeAll(async () => {
    await system.start();
    appToken = system.token({ workspace, role: 'owner', client: 'app' });
    api = system.client(appToken);
  });
  afterAll(() => system.stop());

  it('never catalogs a half-written backup, and the import waits for its backup', async () => {
    const apiToken = system.token({ workspace, client: 'api' });
    const list = (await api('POST', '/v1/lists', { name: 'Large list' })).body;
    const rows = 100_000;
    const lines = ['email,firstName'];
    for (let i = 0; i < rows; i += 1) lines.push(`big-${i}@example.com,N${i}`);
    expect((await final(api, `/v1/imports/${await startImport(system, apiToken, list.id, `${lines.join('\n')}\n`)}`)).status).toBe('succeeded');

    // A back-office import of one row: contacts backs up the 100,000 members first. Kill it then.
    const id = await startImport(system, appToken, list.id, 'email,firstName\nbig-0@example.com,Changed\n');
    await waitFor(
      async () => {
        const job = (await api('GET', `/v1/imports/${id}`)).body;
        return job.status === 'running' && job.progress.total !== null;
      },
      { timeoutMs: 30_000, intervalMs: 10, what: 'the import to reach its backup' },
    );
    await system.service('contacts').kill();
    // Killed while backing up: the list is as it was, the import has not changed anything yet.
    const [before] = await databaseQuery<{ status: string; first_name: string }>(
      `select j.status, c.first_name
      from contacts.job j, contacts.contact c where j.id = $1 and c.workspace_id = $2 and c.email = 'big-0@example.com'`,
      [id, workspace],
    );
    expect(before).toEqual({ status: 'running', first_name: 'N0' });
    await system.service('contacts').start();

    const job = await final(api, `/v1/imports/${id}`);
    expect(job.status).toBe('succeeded');
    expect((await api('GET', '/v1/contacts?email=big-0@example.com')).body.items[0].firstName).toBe('Changed');

    // Exactly one backup for this import, complete: its file matches its size, sha256 and rows.
    const backups = await waitFor(
      async () => {
        const items = (await api('GET', `/v1/backups?listId=${list.id}`)).body.items;
        return items.length ? items : null;
      },
      { timeoutMs: 15_000, what: 'the backup' },
    );
    expect(backups).toHaveLength(1);
    const [backup] = backups;
    expect(backup.rows).toBe(rows);
    const bytes: Buffer[] = [];
    const link = await fetch(`${system.gatewayUrl}/v1/backups/${backup.id}/download`, { headers: { authorization: `Bearer ${appToken}` }, redirect: 'manual' });
    for await (const chunk of (await fetch(link.headers.get('location')!)).body as unknown as AsyncIterable<Uint8Array>) bytes.push(Buffer.from(chunk));
    const file = Buffer.concat(bytes);
    expect(file.length).toBe(backup.bytes);
    expect(createHash('sha256').update(file).digest('hex')).toBe(backup.sha256);
    expect(file.toString('utf8').trim().split('\n')).toHaveLength(rows + 1);
    expect(file.toString('utf8')).toContain('big-0@example.com,N0,');
  });

  it('fails a restore whose file is corrupt or missing, with the reason', async () => {
    const list = (await api('POST', '/v1/lists', { name: 'Tampered' })).body;
    await api('POST', '/v1/contacts', { email: 'tamper@example.com', lists: [{ listId: list.id, status: 'subscribed' }] });
    const { snapshotId } = (await api('DELETE', `/v1/lists/${list.id}`)).body;
    const backup = await waitFor(
      async () => {
        const res = await api('GET', `/v1/backups/${snapshotId}`);
        return res.status === 200 ? res.body : null;
      },
      { what: 'the backup' },
    );
    const links = await fetch(`${system.gatewayUrl}/v1/backups/${backup.id}/download`, {
      headers: { authorization: `Bearer ${appToken}` },
      redirect: 'manual',
    });
    const key = decodeURIComponent(new URL(links.headers.get('location')!).pathname.split('/').slice(2).join('/'));

    await storage.client.putObject(storage.bucket('backups'), key, Buffer.from('email,status\nevil@example.com,subscribed\n'));
    const corrupt = await api('POST', `/v1/backups/${backup.id}/restore`, {});
    const failed = await final(api, `/v1/jobs/${corrupt.body.id}`);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'BACKUP_CORRUPT', message: expect.stringMatching(/corrupt/) } });
    expect((await api('GET', '/v1/contacts?email=evil@example.com')).body.items).toEqual([]);

    await storage.remove('backups', key);
    const missing = await api('POST', `/v1/backups/${backup.id}/restore`, {});
    expect(await final(api, `/v1/jobs/${missing.body.id}`)).toMatchObject({
      status: 'failed',
      error: { code: 'BACKUP_CORRUPT', message: expect.stringMatching(/missing/) },
    });
  });
});
