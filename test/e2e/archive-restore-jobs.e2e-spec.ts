import { databaseQuery, EventTap, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';

type Api = ReturnType<TestSystem['client']>;

describe('archive restore jobs', () => {
  const system = new TestSystem(['contacts', 'archive'], { ARCHIVE_FROZEN_FOR: '1ms', ARCHIVE_JOB_LEASE: '2s', ARCHIVE_RESTORE_BATCH: '1000' });
  beforeAll(() => system.start());
  afterAll(() => system.stop());

  const finished = (api: Api, id: string, timeoutMs = 60_000) => waitFor(async () => {
    const job = (await api('GET', `/v1/archive/restores/${id}`)).body;
    return ['succeeded', 'failed'].includes(job.status) ? job : null;
  }, { timeoutMs, intervalMs: 100, what: `restore ${id}` });

  it('restores a contact exactly as the rules say', async () => {
    const workspace = uniqueWorkspace('fid');
    const tap = await new EventTap(workspace).start();
    const api = system.client(system.token({ workspace, role: 'owner' }));
    const kept = (await api('POST', '/v1/lists', { name: 'Kept' })).body;
    const doomed = (await api('POST', '/v1/lists', { name: 'Doomed' })).body;
    const partner = (await api('POST', '/v1/contacts', { email: 'partner@example.com' })).body;
    const c = (await api('POST', '/v1/contacts', {
      email: 'fidelity@example.com', firstName: 'Fi', fields: { tier: 'gold' }, tags: ['one', 'two', 'three'],
      lists: [{ listId: kept.id, status: 'unsubscribed' }, { listId: doomed.id, status: 'subscribed' }],
    })).body;
    const account = (await api('POST', '/v1/accounts', { name: 'Initech', contactIds: [c.id] })).body;
    const solo = (await api('POST', '/v1/deals', { name: 'Solo', contactIds: [c.id], primaryContactId: c.id })).body;
    const shared = (await api('POST', '/v1/deals', { name: 'Shared', contactIds: [c.id, partner.id], primaryContactId: c.id })).body;
    await api('POST', `/v1/contacts/${c.id}/archive`, {});
    await api('DELETE', `/v1/lists/${doomed.id}`);
    const three = (await api('GET', '/v1/tags')).body.items.find((t: { name: string }) => t.name === 'three');
    await api('DELETE', `/v1/tags/${three.id}`);
    await waitFor(async () => (await api('GET', '/v1/archive/contacts?restorable=true&email=fidelity@example.com')).body.items.length === 1, { what: 'the archive entry' });

    const preview = await api('POST', '/v1/archive/restores?dryRun=true', { contactIds: [c.id] });
    expect(preview.body.restorable[0].drops.sort()).toEqual(['deal:Solo', 'list:Doomed', 'tag:three']);
    const started = await api('POST', '/v1/archive/restores', { contactIds: [c.id] });
    expect((await finished(api, started.body.id)).result).toMatchObject({ restored: 1 });

    const back = (await api('GET', `/v1/contacts/${c.id}`)).body;
    expect(back).toMatchObject({ email: 'fidelity@example.com', firstName: 'Fi', fields: { tier: 'gold' }, createdAt: c.createdAt, tags: ['one', 'two'] });
    expect(back.lists).toEqual([{ listId: kept.id, status: 'unsubscribed' }]);
    expect((await api('GET', `/v1/accounts/${account.id}`)).body.contactIds).toEqual([c.id]);
    expect((await api('GET', `/v1/deals/${solo.id}`)).status).toBe(404);
    expect((await api('GET', `/v1/deals/${shared.id}`)).body.contacts).toEqual([{ contactId: partner.id, isPrimary: true }, { contactId: c.id, isPrimary: false }]);
    const restored = await tap.waitFor('events.contacts.contact.restored.v1', (d) => d.contactId === c.id);
    expect(restored.envelope.origin).toBe('restore');
    await tap.stop();
  });

  it('finishes a 20,000-contact restore after the archive process is killed midway, restoring each contact once', async () => {
    const workspace = uniqueWorkspace('kill');
    const api = system.client(system.token({ workspace, role: 'owner' }));
    const count = 20_000;
    // The archive as contacts' archived events leave it, written in one statement: the intake of
    // those events is tested on its own, this test is about the restore job.
    await databaseQuery(`insert into archive.archived_contact
        (contact_id, workspace_id, email, first_name, last_name, snapshot, list_ids, tag_names, archived_at, archived_by)
      select id, $1, email, null, null, jsonb_build_object('contactId', id, 'email', email, 'firstName', null, 'lastName', null,
               'fields', '{}'::jsonb, 'createdAt', '2025-01-01T00:00:00.000Z', 'memberships', '[]'::jsonb, 'tags', '[]'::jsonb,
               'accounts', '[]'::jsonb, 'deals', '[]'::jsonb), '{}', '{}', now() - interval '1 day', 'u'
      from (select gen_random_uuid() as id, 'k' || i || '@example.com' as email from generate_series(0, $2::int - 1) i) s`, [workspace, count]);

    const started = await api('POST', '/v1/archive/restores', { filter: {} });
    expect(started.status).toBe(202);
    // Killed with batches done, others with contacts, and the rest not yet staged.
    await waitFor(async () => (await api('GET', `/v1/archive/restores/${started.body.id}`)).body.progress.done >= 2_000,
      { timeoutMs: 60_000, intervalMs: 20, what: 'progress' });
    await system.service('archive').kill();
    const killedAt = (await databaseQuery<{ n: number }>(`select count(*)::int as n from archive.restore_item where job_id = $1 and outcome is not null`, [started.body.id]))[0]!.n;
    expect(killedAt).toBeLessThan(count);
    await system.service('archive').start();
    const job = await finished(api, started.body.id, 180_000);
    expect(job).toMatchObject({ status: 'succeeded', result: { restored: count, conflicts: 0, skipped: 0 } });
    // Every contact live once, and restored once: one contact.restored event each.
    const [live] = await databaseQuery<{ n: number; ids: number }>('select count(*)::int as n, count(distinct id)::int as ids from contacts.contact where workspace_id = $1', [workspace]);
    expect(live).toEqual({ n: count, ids: count });
    const [events] = await databaseQuery<{ n: number; contacts: number }>(`select count(*)::int as n, count(distinct envelope->'data'->>'contactId')::int as contacts
      from contacts.outbox where subject = 'events.contacts.contact.restored.v1' and envelope->>'workspaceId' = $1`, [workspace]);
    expect(events).toEqual({ n: count, contacts: count });
    const [archive] = await databaseQuery<{ restored: number }>('select count(*)::int as restored from archive.archived_contact where workspace_id = $1 and restore_job_id = $2', [workspace, started.body.id]);
    expect(archive!.restored).toBe(count);
  });
});
