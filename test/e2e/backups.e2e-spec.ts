import { createHash } from 'node:crypto';
import { escapeFormula } from '@custodian/csv';
import { endedJob, EventTap, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';
import { parse } from 'csv-parse/sync';

type Api = ReturnType<TestSystem['client']>;

async function importCsv(system: TestSystem, token: string, listId: string, csv: string) {
  const api = system.client(token);
  const res = await fetch(`${system.gatewayUrl}/v1/imports?listId=${listId}&mode=upsert`, {
    method: 'POST',
    body: csv,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  return waitFor(
    async () => {
      const job = (await api('GET', `/v1/imports/${id}`)).body;
      return job.status === 'succeeded' ? job : null;
    },
    { timeoutMs: 20_000, what: `import ${id}` },
  );
}

async function backupsOf(api: Api, listId: string, count: number) {
  return waitFor(
    async () => {
      const items = (await api('GET', `/v1/backups?listId=${listId}`)).body.items;
      return items.length >= count ? items : null;
    },
    { timeoutMs: 15_000, what: `${count} backup(s) of list ${listId}` },
  );
}

async function download(system: TestSystem, token: string, id: string) {
  const redirect = await fetch(`${system.gatewayUrl}/v1/backups/${id}/download`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
  if (redirect.status !== 302) return { status: redirect.status, text: await redirect.text() };
  const file = await fetch(redirect.headers.get('location')!);
  return { status: file.status, text: await file.text() };
}

async function members(api: Api, listId: string) {
  const items = (await api('GET', `/v1/lists/${listId}/members?limit=500`)).body.items as { email: string; status: string }[];
  return Object.fromEntries(items.map((m) => [m.email, m.status]));
}

describe('list backups', () => {
  const system = new TestSystem(['contacts', 'backups']);
  const workspace = uniqueWorkspace('bk');
  const tap = new EventTap(workspace);
  let token: string;
  let api: Api;

  beforeAll(async () => {
    await Promise.all([system.start(), tap.start()]);
    token = system.token({ workspace, role: 'admin', client: 'app', sub: 'admin-7' });
    api = system.client(token);
  });
  afterAll(() => Promise.all([system.stop(), tap.stop()]));

  it('a back-office import creates exactly one backup, holding the list as it was before', async () => {
    const list = (await api('POST', '/v1/lists', { name: 'Customers' })).body;
    await importCsv(system, token, list.id, 'email,firstName,status,city\nann@example.com,Ann,subscribed,Rome\nben@example.com,Ben,unsubscribed,\n');
    const [first] = await backupsOf(api, list.id, 1); // taken before the first import: the list was empty
    expect(first).toMatchObject({ listName: 'Customers', reason: 'import', rows: 0, requestedBy: 'admin-7', causeOrigin: 'app' });

    await importCsv(system, token, list.id, 'email,status\ncarl@example.com,subscribed\nann@example.com,bounced\n');
    const items = await backupsOf(api, list.id, 2);
    expect(items).toHaveLength(2);
    expect(items[0].createdAt > items[1].createdAt).toBe(true); // newest first
    const backup = items[0];
    expect(backup.rows).toBe(2);
    const file = await download(system, token, backup.id);
    expect(file.status).toBe(200);
    const lines = file.text.trim().split('\n');
    expect(lines[0]).toBe('email,firstName,lastName,status,createdAt,fields.city');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',').slice(0, 4).join(','))
        .sort(),
    ).toEqual(['ann@example.com,Ann,,subscribed', 'ben@example.com,Ben,,unsubscribed']);
    expect((await api('GET', `/v1/backups/${backup.id}`)).body).toMatchObject({ id: backup.id, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await tap.waitFor('events.backups.backup.created.v1', (d) => d.backupId === backup.id);
  });

  it('an API or integration import or deletion creates none', async () => {
    for (const client of ['api', 'integration'] as const) {
      const other = system.token({ workspace, client });
      const otherApi = system.client(other);
      const list = (await otherApi('POST', '/v1/lists', { name: `Via ${client}` })).body;
      await importCsv(system, other, list.id, 'email\nx@example.com\n');
      await otherApi('DELETE', `/v1/lists/${list.id}`);
      // The back-office list below gets its backup: by then, any backup of this one would be there too.
      const probe = (await api('POST', '/v1/lists', { name: `Probe ${client}` })).body;
      await api('DELETE', `/v1/lists/${probe.id}`);
      await backupsOf(api, probe.id, 1);
      expect((await api('GET', `/v1/backups?listId=${list.id}`)).body.items).toEqual([]);
    }
  });

  it('follows the policy: off means none; an excluded list gets none while others still do', async () => {
    expect((await api('GET', '/v1/settings/backups')).body).toMatchObject({ automaticBackups: true, excludedListIds: [] });
    const excluded = (await api('POST', '/v1/lists', { name: 'Excluded' })).body;
    const kept = (await api('POST', '/v1/lists', { name: 'Kept' })).body;
    const set = await api('PUT', '/v1/settings/backups', { automaticBackups: true, excludedListIds: [excluded.id] });
    expect(set.status).toBe(200);
    await tap.waitFor('events.backups.policy.changed.v1', (d) => (d.excludedListIds as string[]).includes(excluded.id));
    // Contacts follows the policy from the event: probe until the excluded list is skipped.
    await waitFor(
      async () => {
        const probe = (await api('POST', '/v1/lists', { name: `Policy probe ${Math.random()}` })).body;
        await api('PUT', '/v1/settings/backups', { automaticBackups: true, excludedListIds: [excluded.id, probe.id] });
        await new Promise((r) => setImmediate(r));
        return (await api('DELETE', `/v1/lists/${probe.id}`)).body.snapshotId === null;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'contacts to follow the policy' },
    );
    expect((await api('DELETE', `/v1/lists/${excluded.id}`)).body.snapshotId).toBeNull();
    expect((await api('DELETE', `/v1/lists/${kept.id}`)).body.snapshotId).toEqual(expect.any(String));

    await api('PUT', '/v1/settings/backups', { automaticBackups: false, excludedListIds: [] });
    await waitFor(
      async () => {
        const probe = (await api('POST', '/v1/lists', { name: `Off probe ${Math.random()}` })).body;
        return (await api('DELETE', `/v1/lists/${probe.id}`)).body.snapshotId === null;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'contacts to follow backups off' },
    );
    const any = (await api('POST', '/v1/lists', { name: 'Off list' })).body;
    expect((await api('DELETE', `/v1/lists/${any.id}`)).body.snapshotId).toBeNull();
    await api('PUT', '/v1/settings/backups', { automaticBackups: true, excludedListIds: [] });
    const member = system.client(system.token({ workspace, role: 'member' }));
    expect((await member('PUT', '/v1/settings/backups', { automaticBackups: false, excludedListIds: [] })).status).toBe(403);
  });

  it('restores a deleted list under its old name with every member as it was', async () => {
    const list = (await api('POST', '/v1/lists', { name: 'Deleted then restored' })).body;
    await api('POST', '/v1/contacts', { email: 'r1@example.com', lists: [{ listId: list.id, status: 'subscribed' }] });
    await api('POST', '/v1/contacts', { email: 'r2@example.com', lists: [{ listId: list.id, status: 'unsubscribed' }] });
    await api('POST', '/v1/contacts', { email: 'r3@example.com', lists: [{ listId: list.id, status: 'bounced' }] });
    const deleted = await api('DELETE', `/v1/lists/${list.id}`);
    const [backup] = await backupsOf(api, list.id, 1);
    expect(backup.id).toBe(deleted.body.snapshotId);

    const diff = await api('GET', `/v1/backups/${backup.id}/diff`);
    expect(diff.body).toMatchObject({ listRecreated: true, added: 3 });

    // Sent twice at once under one key: one job, one list re-created.
    const key = { 'idempotency-key': `recreate-${backup.id}` };
    const [restore, twin] = await Promise.all([1, 2].map(() => api('POST', `/v1/backups/${backup.id}/restore`, {}, key)));
    expect(restore!.status).toBe(202);
    expect(restore!.body).toMatchObject({ listRecreated: true, listId: expect.any(String) });
    expect(restore!.body.listId).not.toBe(list.id);
    expect([twin!.body.id, twin!.body.listId]).toEqual([restore!.body.id, restore!.body.listId]);
    const named = (await api('GET', '/v1/lists?limit=500')).body.items.filter((l: { name: string }) => l.name.startsWith('Deleted then restored'));
    expect(named).toHaveLength(1);
    const job = await endedJob(api, restore!.body.id);
    expect(job.status).toBe('succeeded');
    const newList = (await api('GET', `/v1/lists/${restore!.body.listId}`)).body;
    expect(newList.name).toBe('Deleted then restored');
    expect(await members(api, newList.id)).toEqual({ 'r1@example.com': 'subscribed', 'r2@example.com': 'unsubscribed', 'r3@example.com': 'bounced' });
    await tap.waitFor('events.backups.restore.completed.v1', (d) => d.jobId === restore!.body.id);
  });

  it('never turns an unsubscribed or bounced member into a subscribed one', async () => {
    const list = (await api('POST', '/v1/lists', { name: 'Opt-outs' })).body;
    await api('POST', '/v1/contacts', { email: 'later-unsub@example.com', lists: [{ listId: list.id, status: 'subscribed' }] });
    await api('POST', '/v1/contacts', { email: 'was-unsub@example.com', lists: [{ listId: list.id, status: 'unsubscribed' }] });
    await api('POST', '/v1/contacts', { email: 'later-bounced@example.com', lists: [{ listId: list.id, status: 'subscribed' }] });
    // A back-office import backs the list up as it is now, then changes it.
    await importCsv(
      system,
      token,
      list.id,
      'email,status\nlater-unsub@example.com,unsubscribed\nwas-unsub@example.com,subscribed\nlater-bounced@example.com,bounced\nnew@example.com,subscribed\n',
    );
    const items = await backupsOf(api, list.id, 1);
    const backup = items[items.length - 1];

    const diff = await api('GET', `/v1/backups/${backup.id}/diff`);
    expect(diff.body).toMatchObject({ listRecreated: false, added: 0, statusChanges: 1 });
    const restore = await api('POST', `/v1/backups/${backup.id}/restore`, {}, { 'idempotency-key': `restore-${backup.id}` });
    expect(restore.body).toMatchObject({ listRecreated: false, listId: list.id });
    expect((await endedJob(api, restore.body.id)).status).toBe('succeeded');
    expect(await members(api, list.id)).toEqual({
      'later-unsub@example.com': 'unsubscribed', // unsubscribed now: stays so, although the backup says subscribed
      'later-bounced@example.com': 'bounced', // bounced now: stays so
      'was-unsub@example.com': 'unsubscribed', // unsubscribed in the backup: restored so
      'new@example.com': 'subscribed', // not in the backup: untouched
    });
    // The restore backed the list up first, so it can be undone.
    const after = (await api('GET', `/v1/backups?listId=${list.id}`)).body.items;
    expect(after.length).toBeGreaterThan(items.length);
    const again = await api('POST', `/v1/backups/${backup.id}/restore`, {}, { 'idempotency-key': `restore-${backup.id}` });
    expect(again.body.id).toBe(restore.body.id);
  });

  it('never brings back a contact that was merged into another since the backup', async () => {
    const list = (await api('POST', '/v1/lists', { name: 'Merged since' })).body;
    const primary = (await api('POST', '/v1/contacts', { email: 'merge-primary@example.com', lists: [{ listId: list.id, status: 'subscribed' }] })).body;
    const duplicate = (await api('POST', '/v1/contacts', { email: 'merge-duplicate@example.com', lists: [{ listId: list.id, status: 'subscribed' }] })).body;
    // A back-office import backs the list up (both contacts in it), then the duplicate is merged away.
    await importCsv(system, token, list.id, 'email\nmerge-third@example.com\n');
    const items = await backupsOf(api, list.id, 1);
    const backup = items[items.length - 1];
    expect((await api('POST', '/v1/contacts/merge', { primaryId: primary.id, duplicateId: duplicate.id })).status).toBe(200);

    const restore = await api('POST', `/v1/backups/${backup.id}/restore`, {});
    const job = await endedJob(api, restore.body.id);
    expect(job.status).toBe('succeeded');
    expect((await api('GET', '/v1/contacts?email=merge-duplicate@example.com')).body.items).toEqual([]);
    expect(Object.keys(await members(api, list.id)).sort()).toEqual(['merge-primary@example.com', 'merge-third@example.com']);
  });

  it('downloads a backup exactly as stored by default, and safe for spreadsheets with format=spreadsheet', async () => {
    const list = (await api('POST', '/v1/lists', { name: 'Formulas' })).body;
    const fields = { notes: '=HYPERLINK("http://evil.example","click")', phone: '+49 30 1234', city: 'Zürich' };
    await api('POST', '/v1/contacts', { email: 'formula@example.com', firstName: '@SUM(1)', fields, lists: [{ listId: list.id, status: 'subscribed' }] });
    await api('POST', '/v1/contacts', { email: 'plain@example.com', firstName: 'Plain', lists: [{ listId: list.id, status: 'subscribed' }] });
    await importCsv(system, token, list.id, 'email\nafter@example.com\n');
    const [backup] = await backupsOf(api, list.id, 1);
    const auth = { authorization: `Bearer ${token}` };

    const redirect = await fetch(`${system.gatewayUrl}/v1/backups/${backup.id}/download?format=exact`, { headers: auth, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const exact = Buffer.from(await (await fetch(redirect.headers.get('location')!)).arrayBuffer());
    expect([exact.length, createHash('sha256').update(exact).digest('hex')]).toEqual([backup.bytes, backup.sha256]);
    expect(exact.toString('utf8')).toContain('"=HYPERLINK(""http://evil.example"",""click"")"');

    const safe = await fetch(`${system.gatewayUrl}/v1/backups/${backup.id}/download?format=spreadsheet`, { headers: auth, redirect: 'manual' });
    expect(safe.status).toBe(200);
    expect(safe.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(safe.headers.get('content-disposition')).toBe(`attachment; filename="backup-Formulas-${backup.createdAt.slice(0, 10)}-spreadsheet.csv"`);
    const body = Buffer.from(await safe.arrayBuffer());
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = body.subarray(3).toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(text).toContain(`'@SUM(1)`);
    expect(text).toContain(`'+49 30 1234`);
    // Cell by cell: every value is the exact one, with a formula's start quoted; nothing else changed.
    const cells = (csv: string) => parse(csv, { relax_column_count: false }) as string[][];
    expect(cells(text)).toEqual(cells(exact.toString('utf8')).map((row) => row.map(escapeFormula)));
    expect(cells(text).flat()).toContain('Zürich');

    const bad = await api('GET', `/v1/backups/${backup.id}/download?format=xlsx`);
    expect([bad.status, bad.body.code, bad.body.errors[0].path]).toEqual([422, 'VALIDATION_FAILED', 'format']);
    const other = system.client(system.token({ workspace: uniqueWorkspace('peek'), role: 'owner' }));
    expect((await other('GET', `/v1/backups/${backup.id}/download?format=spreadsheet`)).status).toBe(404);
  });

  it('keeps one workspace away from the backups of another', async () => {
    const [someBackup] = (await api('GET', '/v1/backups')).body.items;
    const other = system.client(system.token({ workspace: uniqueWorkspace('thief'), role: 'owner' }));
    expect((await other('GET', '/v1/backups')).body.items).toEqual([]);
    expect((await other('GET', `/v1/backups?listId=${someBackup.listId}`)).body.items).toEqual([]);
    expect((await other('GET', `/v1/backups/${someBackup.id}`)).status).toBe(404);
    expect((await other('GET', `/v1/backups/${someBackup.id}/download`)).status).toBe(404);
    expect((await other('POST', `/v1/backups/${someBackup.id}/restore`, {})).status).toBe(404);
  });
});

describe('backup retention', () => {
  const system = new TestSystem(['contacts', 'backups'], { BACKUPS_RETENTION: '2s', BACKUPS_SWEEP_INTERVAL: '200ms' });
  const workspace = uniqueWorkspace('ret');
  const tap = new EventTap(workspace);

  beforeAll(() => Promise.all([system.start(), tap.start()]));
  afterAll(() => Promise.all([system.stop(), tap.stop()]));

  it('deletes a backup and its file for good after the retention period; download answers 410', async () => {
    const token = system.token({ workspace, role: 'owner', client: 'app' });
    const api = system.client(token);
    const list = (await api('POST', '/v1/lists', { name: 'Short-lived' })).body;
    await api('POST', '/v1/contacts', { email: 'ret@example.com', lists: [{ listId: list.id, status: 'subscribed' }] });
    const { snapshotId } = (await api('DELETE', `/v1/lists/${list.id}`)).body;
    const created = await tap.waitFor('events.backups.backup.created.v1', (d) => d.backupId === snapshotId);
    expect(Date.parse(created.envelope.data.expiresAt as string)).toBeGreaterThan(Date.now() - 5_000);
    const link = await fetch(`${system.gatewayUrl}/v1/backups/${snapshotId}/download`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    const fileUrl = link.headers.get('location')!;

    await tap.waitFor('events.backups.backup.expired.v1', (d) => d.backupId === snapshotId, 15_000);
    expect((await download(system, token, snapshotId)).status).toBe(410);
    const gone = await api('GET', `/v1/backups/${snapshotId}`);
    expect([gone.status, gone.body.code]).toEqual([410, 'BACKUP_EXPIRED']);
    expect((await api('GET', `/v1/backups?listId=${list.id}`)).body.items).toEqual([]);
    expect((await fetch(fileUrl)).status).toBe(404); // the object itself is gone
  });
});
