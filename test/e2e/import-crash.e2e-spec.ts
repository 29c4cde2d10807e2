import { databaseQuery, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';

describe('the contacts process dies during an import', () => {
  // A short lease, so the restarted process takes the job over quickly.
  const system = new TestSystem(['contacts'], { CONTACTS_JOB_LEASE: '2s' });
  const workspace = uniqueWorkspace('crash');

  beforeAll(() => system.start());
  afterAll(() => system.stop());

  it('leaves the list untouched, and a restarted process finishes the job', async () => {
    const token = system.token({ workspace, client: 'api' });
    const api = system.client(token);
    const listId = (await api('POST', '/v1/lists', { name: 'Big list' })).body.id;
    const rows = 150_000;
    const lines = ['email,firstName,city'];
    for (let i = 0; i < rows; i += 1) lines.push(`crash-${i}@example.com,Name ${i},City ${i % 100}`);
    const started = await fetch(`${system.gatewayUrl}/v1/imports?listId=${listId}&mode=upsert`, {
      method: 'POST',
      body: `${lines.join('\n')}\n`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };

    // Kill it in the middle of the work: the job is running and has read some rows.
    await waitFor(
      async () => {
        const job = (await api('GET', `/v1/imports/${id}`)).body;
        return job.status === 'running' && job.progress.done > 0;
      },
      { timeoutMs: 30_000, intervalMs: 20, what: 'the import to be under way' },
    );
    await system.service('contacts').kill();
    // Never half-imported: killed while running, the list has no member from the file.
    const [during] = await databaseQuery<{ status: string; members: number }>(
      `select j.status,
        (select count(*)::int from contacts.membership m where m.list_id = $2) as members from contacts.job j where j.id = $1`,
      [id, listId],
    );
    expect(during).toEqual({ status: 'running', members: 0 });
    await system.service('contacts').start();

    const done = await waitFor(
      async () => {
        const j = (await api('GET', `/v1/imports/${id}`)).body;
        return ['succeeded', 'failed'].includes(j.status) ? j : null;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'the import to end' },
    );
    expect(done.status).toBe('succeeded');
    expect(done.result).toMatchObject({ rows, created: rows, updated: 0, failed: 0 });
    expect((await api('GET', `/v1/lists/${listId}`)).body.memberCount).toBe(rows);
  });
});
