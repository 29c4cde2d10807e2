import { randomUUID } from 'node:crypto';
import type { ContactSnapshot } from '@custodian/contracts';
import { EventTap, stackEnv, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

type Api = ReturnType<TestSystem['client']>;

describe('archive restore jobs', () => {
  const system = new TestSystem(['contacts', 'archive'], { ARCHIVE_FROZEN_FOR: '1ms', ARCHIVE_JOB_LEASE: '2s' });
  let nc: NatsConnection;

  beforeAll(async () => {
    await system.start();
    nc = await connect({ servers: stackEnv().NATS_SERVERS.split(',') });
  });
  afterAll(async () => {
    await nc.close();
    await system.stop();
  });

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

  it('finishes a restore after the archive process is killed midway, restoring each contact once', async () => {
    const workspace = uniqueWorkspace('kill');
    const api = system.client(system.token({ workspace, role: 'owner' }));
    const count = 3000;
    // Archived contacts as contacts hands them over: events with complete snapshots.
    const js = jetstream(nc);
    const ids: string[] = [];
    for (let i = 0; i < count; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, k) => {
        const contactId = randomUUID();
        ids.push(contactId);
        const snapshot: ContactSnapshot = { contactId, email: `k${i + k}@example.com`, firstName: null, lastName: null, fields: {},
          createdAt: '2025-01-01T00:00:00.000Z', memberships: [], tags: [], accounts: [], deals: [] };
        const id = randomUUID();
        return js.publish('events.contacts.contact.archived.v1', JSON.stringify({ id, type: 'contacts.contact.archived', version: 1,
          occurredAt: new Date().toISOString(), workspaceId: workspace, actor: { id: 'u' }, origin: 'app', correlationId: id, data: { snapshot } }), { msgID: id });
      }));
    }
    await waitFor(async () => {
      let n = 0;
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<Api>> = await api('GET', `/v1/archive/contacts?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        n += page.body.items.length;
        cursor = page.body.nextCursor;
      } while (cursor);
      return n === count;
    }, { timeoutMs: 60_000, intervalMs: 500, what: `${count} archived contacts` });

    const started = await api('POST', '/v1/archive/restores', { filter: {} });
    expect(started.status).toBe(202);
    await waitFor(async () => (await api('GET', `/v1/archive/restores/${started.body.id}`)).body.progress.done > 0, { timeoutMs: 30_000, intervalMs: 20, what: 'progress' });
    await system.service('archive').kill();
    await system.service('archive').start();
    const job = await finished(api, started.body.id, 120_000);
    expect(job).toMatchObject({ status: 'succeeded', result: { restored: count, conflicts: 0, skipped: 0 } });
    // Every contact live once (ids are unique; emails too).
    const live = await api('GET', '/v1/contacts?limit=1&email=k0@example.com');
    expect(live.body.items).toHaveLength(1);
    const sample = await Promise.all(ids.filter((_, i) => i % 300 === 0).map((id) => api('GET', `/v1/contacts/${id}`)));
    expect(sample.every((r) => r.status === 200)).toBe(true);
  });
});
