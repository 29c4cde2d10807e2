import { randomUUID } from 'node:crypto';
import { databaseQuery, EventTap, stackEnv, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

type Api = ReturnType<TestSystem['client']>;

describe('archive restore jobs', () => {
  const system = new TestSystem(['contacts', 'archive'], { ARCHIVE_FROZEN_FOR: '1ms', ARCHIVE_JOB_LEASE: '2s', ARCHIVE_RESTORE_BATCH: '1000' });
  let nc: NatsConnection;

  beforeAll(async () => {
    await system.start();
    nc = await connect({ servers: stackEnv().NATS_SERVERS.split(',') });
  });
  afterAll(async () => {
    await nc.close();
    await system.stop();
  });

  /**
   * The archive as contacts' archived events leave it, written in one statement: the intake of
   * those events is tested on its own, these tests are about restore jobs.
   */
  const seedArchive = (workspace: string, count: number, tag: string) =>
    databaseQuery(
      `insert into archive.archived_contact
      (contact_id, workspace_id, email, first_name, last_name, snapshot, list_ids, tag_names, archived_at, archived_by)
    select id, $1, email, null, null, jsonb_build_object('contactId', id, 'email', email, 'firstName', null, 'lastName', null,
             'fields', '{}'::jsonb, 'createdAt', '2025-01-01T00:00:00.000Z', 'memberships', '[]'::jsonb, 'tags', '[]'::jsonb,
             'accounts', '[]'::jsonb, 'deals', '[]'::jsonb), '{}', array[$3], now() - interval '1 day', 'u'
    from (select gen_random_uuid() as id, $3 || i || '@example.com' as email from generate_series(0, $2::int - 1) i) s`,
      [workspace, count, tag],
    );

  const finished = (api: Api, id: string, timeoutMs = 60_000) =>
    waitFor(
      async () => {
        const job = (await api('GET', `/v1/archive/restores/${id}`)).body;
        return ['succeeded', 'failed'].includes(job.status) ? job : null;
      },
      { timeoutMs, intervalMs: 100, what: `restore ${id}` },
    );

  it('restores a contact exactly as the rules say', async () => {
    const workspace = uniqueWorkspace('fid');
    const tap = await new EventTap(workspace).start();
    const api = system.client(system.token({ workspace, role: 'owner' }));
    const kept = (await api('POST', '/v1/lists', { name: 'Kept' })).body;
    const doomed = (await api('POST', '/v1/lists', { name: 'Doomed' })).body;
    const partner = (await api('POST', '/v1/contacts', { email: 'partner@example.com' })).body;
    const c = (
      await api('POST', '/v1/contacts', {
        email: 'fidelity@example.com',
        firstName: 'Fi',
        fields: { tier: 'gold' },
        tags: ['one', 'two', 'three'],
        lists: [
          { listId: kept.id, status: 'unsubscribed' },
          { listId: doomed.id, status: 'subscribed' },
        ],
      })
    ).body;
    const account = (await api('POST', '/v1/accounts', { name: 'Initech', contactIds: [c.id] })).body;
    const solo = (await api('POST', '/v1/deals', { name: 'Solo', contactIds: [c.id], primaryContactId: c.id })).body;
    const shared = (await api('POST', '/v1/deals', { name: 'Shared', contactIds: [c.id, partner.id], primaryContactId: c.id })).body;
    await api('POST', `/v1/contacts/${c.id}/archive`, {});
    await api('DELETE', `/v1/lists/${doomed.id}`);
    const three = (await api('GET', '/v1/tags')).body.items.find((t: { name: string }) => t.name === 'three');
    await api('DELETE', `/v1/tags/${three.id}`);
    await waitFor(async () => (await api('GET', '/v1/archive/contacts?restorable=true&email=fidelity@example.com')).body.items.length === 1, {
      what: 'the archive entry',
    });

    const preview = await api('POST', '/v1/archive/restores?dryRun=true', { contactIds: [c.id] });
    expect(preview.body.restorable[0].drops.sort()).toEqual(['deal:Solo', 'list:Doomed', 'tag:three']);
    const started = await api('POST', '/v1/archive/restores', { contactIds: [c.id] });
    expect((await finished(api, started.body.id)).result).toMatchObject({ restored: 1 });

    const back = (await api('GET', `/v1/contacts/${c.id}`)).body;
    expect(back).toMatchObject({ email: 'fidelity@example.com', firstName: 'Fi', fields: { tier: 'gold' }, createdAt: c.createdAt, tags: ['one', 'two'] });
    expect(back.lists).toEqual([{ listId: kept.id, status: 'unsubscribed' }]);
    expect((await api('GET', `/v1/contacts?accountId=${account.id}`)).body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
    expect((await api('GET', `/v1/deals/${solo.id}`)).status).toBe(404);
    expect((await api('GET', `/v1/deals/${shared.id}`)).body.contacts).toEqual([
      { contactId: partner.id, isPrimary: true },
      { contactId: c.id, isPrimary: false },
    ]);
    const restored = await tap.waitFor('events.contacts.contact.restored.v1', (d) => d.contactId === c.id);
    expect(restored.envelope.origin).toBe('restore');
    await tap.stop();
  });

  it('previews a restore of 10,000 contacts with their counts and the first 1,000 of each kind, in one small answer', async () => {
    const workspace = uniqueWorkspace('preview');
    const api = system.client(system.token({ workspace, role: 'owner' }));
    await seedArchive(workspace, 10_000, 'p');
    // 1,500 of them past the restore window: refused, as "expired".
    await databaseQuery(
      `update archive.archived_contact set archived_at = now() - interval '400 days'
      where contact_id in (select contact_id from archive.archived_contact where workspace_id = $1 order by contact_id limit 1500)`,
      [workspace],
    );
    const preview = await api('POST', '/v1/archive/restores?dryRun=true', { filter: {} });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ dryRun: true, restorableCount: 8_500, refusedCount: 1_500, activeContacts: 0, projected: 8_500 });
    expect(preview.body.restorable).toHaveLength(1_000);
    expect(preview.body.refused).toHaveLength(1_000);
    expect(new Set(preview.body.refused.map((r: { reason: string }) => r.reason))).toEqual(new Set(['expired']));
    expect(preview.body.restorable[0]).toEqual({ contactId: expect.any(String), email: expect.stringMatching(/^p\d+@example\.com$/), drops: [] });
    expect(JSON.stringify(preview.body).length).toBeLessThan(300_000);
    // Nothing was restored.
    expect((await api('GET', '/v1/contacts')).body.items).toEqual([]);
  });

  it('finishes a 20,000-contact restore after the archive process is killed midway, restoring each contact once', async () => {
    const workspace = uniqueWorkspace('kill');
    const api = system.client(system.token({ workspace, role: 'owner' }));
    const count = 20_000;
    await seedArchive(workspace, count, 'k');

    const started = await api('POST', '/v1/archive/restores', { filter: {} });
    expect(started.status).toBe(202);
    // Killed with batches done, others with contacts, and the rest not yet staged.
    await waitFor(async () => (await api('GET', `/v1/archive/restores/${started.body.id}`)).body.progress.done >= 2_000, {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: 'progress',
    });
    await system.service('archive').kill();
    const killedAt = (
      await databaseQuery<{ n: number }>(`select count(*)::int as n from archive.restore_item where job_id = $1 and outcome is not null`, [started.body.id])
    )[0]!.n;
    expect(killedAt).toBeLessThan(count);
    await system.service('archive').start();
    const job = await finished(api, started.body.id, 180_000);
    expect(job).toMatchObject({ status: 'succeeded', result: { restored: count, conflicts: 0, skipped: 0 } });
    // Every contact live once, and restored once: one contact.restored event each.
    const [live] = await databaseQuery<{ n: number; ids: number }>(
      'select count(*)::int as n, count(distinct id)::int as ids from contacts.contact where workspace_id = $1',
      [workspace],
    );
    expect(live).toEqual({ n: count, ids: count });
    const [events] = await databaseQuery<{ n: number; contacts: number }>(
      `select count(*)::int as n, count(distinct envelope->'data'->>'contactId')::int as contacts
      from contacts.outbox where subject = 'events.contacts.contact.restored.v1' and envelope->>'workspaceId' = $1`,
      [workspace],
    );
    expect(events).toEqual({ n: count, contacts: count });
    const [archive] = await databaseQuery<{ restored: number }>(
      'select count(*)::int as restored from archive.archived_contact where workspace_id = $1 and restore_job_id = $2',
      [workspace, started.body.id],
    );
    expect(archive!.restored).toBe(count);
  });

  it('starts an automatic restore that arrives during a running restore as soon as that one ends', async () => {
    const workspace = uniqueWorkspace('wait');
    const api = system.client(system.token({ workspace, role: 'owner' }));
    await seedArchive(workspace, 20_000, 'bulk');
    const c = (await api('POST', '/v1/contacts', { email: 'returning@example.com' })).body;
    await api('POST', `/v1/contacts/${c.id}/archive`, {});
    await waitFor(async () => (await api('GET', '/v1/archive/contacts?email=returning@example.com')).body.items.length === 1, { what: 'the archive entry' });

    const bulk = await api('POST', '/v1/archive/restores', { filter: { tag: 'bulk' } });
    expect(bulk.status).toBe(202);
    await waitFor(async () => (await api('GET', `/v1/archive/restores/${bulk.body.id}`)).body.status === 'running', {
      intervalMs: 20,
      what: 'the bulk restore to run',
    });
    const id = randomUUID();
    await jetstream(nc).publish(
      'events.forms.form.submitted.v1',
      JSON.stringify({
        id,
        type: 'forms.form.submitted',
        version: 1,
        occurredAt: new Date().toISOString(),
        workspaceId: workspace,
        actor: { id: 'forms' },
        origin: 'integration',
        correlationId: id,
        data: { email: 'returning@example.com', submittedAt: new Date().toISOString() },
      }),
      { msgID: id },
    );
    await waitFor(async () => (await databaseQuery('select 1 from archive.waiting_restore where contact_id = $1', [c.id])).length === 1, {
      intervalMs: 20,
      what: 'the automatic restore to wait',
    });
    // It waits: no second job beside the running one, which goes on.
    expect((await api('GET', `/v1/archive/restores/${bulk.body.id}`)).body.status).toBe('running');

    expect(await finished(api, bulk.body.id, 120_000)).toMatchObject({ status: 'succeeded', result: { restored: 20_000 } });
    await waitFor(async () => (await api('GET', `/v1/contacts/${c.id}`)).status === 200, {
      timeoutMs: 30_000,
      what: 'the automatic restore after the bulk one',
    });
    const jobs = await databaseQuery<{ automatic: boolean; status: string }>(
      `select (params->>'automatic')::boolean as automatic, status
      from archive.job where workspace_id = $1 and kind = 'restore' order by requested_at`,
      [workspace],
    );
    expect(jobs.map((j) => j.automatic)).toEqual([false, true]);
    expect(await databaseQuery('select 1 from archive.waiting_restore where workspace_id = $1', [workspace])).toEqual([]);
  });
});
