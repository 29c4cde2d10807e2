import { randomUUID } from 'node:crypto';
import { EventTap, stackEnv, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

type Api = ReturnType<TestSystem['client']>;

describe('archive and restore', () => {
  // Short windows: frozen for 1.5 s, restorable until 8 s after archiving. Free plan: 4 active contacts.
  const system = new TestSystem(['contacts', 'archive'], {
    ARCHIVE_FROZEN_FOR: '1500ms',
    ARCHIVE_RESTORABLE_FOR: '8s',
    ARCHIVE_CONTACT_LIMIT_FREE: '4',
    ARCHIVE_PURGE_INTERVAL: '1h',
  });
  let nc: NatsConnection;

  beforeAll(async () => {
    await system.start();
    nc = await connect({ servers: stackEnv().NATS_SERVERS.split(',') });
  });
  afterAll(async () => {
    await nc.close();
    await system.stop();
  });

  async function archived(api: Api, email: string) {
    const c = (await api('POST', '/v1/contacts', { email })).body;
    expect((await api('POST', `/v1/contacts/${c.id}/archive`, { reason: 'test' })).status).toBe(200);
    return waitFor(async () => (await api('GET', `/v1/archive/contacts?email=${email}`)).body.items[0], { what: `${email} in the archive` });
  }

  async function finished(api: Api, id: string) {
    return waitFor(
      async () => {
        const job = (await api('GET', `/v1/archive/restores/${id}`)).body;
        return ['succeeded', 'failed'].includes(job.status) ? job : null;
      },
      { timeoutMs: 30_000, what: `restore ${id}` },
    );
  }

  async function publish(subject: string, workspaceId: string, data: object) {
    const id = randomUUID();
    await jetstream(nc).publish(
      subject,
      JSON.stringify({
        id,
        type: subject.replace(/^events\./, '').replace(/\.v\d+$/, ''),
        version: 1,
        occurredAt: new Date().toISOString(),
        workspaceId,
        actor: { id: 'forms' },
        origin: 'integration',
        correlationId: id,
        data,
      }),
      { msgID: id },
    );
  }

  it('refuses a restore before the window opens and after it closes, allows it in between', async () => {
    const workspace = uniqueWorkspace('arc');
    const tap = await new EventTap(workspace).start();
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const item = await archived(api, 'window@example.com');
    expect(item).toMatchObject({ restorable: false, notRestorableBecause: 'frozen', archivedBy: 'test-user', reason: 'test' });
    const early = await api('POST', '/v1/archive/restores', { contactIds: [item.contactId] });
    expect([early.status, early.body.code, early.body.errors]).toEqual([422, 'RESTORE_REFUSED', [{ path: item.contactId, message: 'frozen' }]]);

    await waitFor(async () => (await api('GET', '/v1/archive/contacts?restorable=true')).body.items.length === 1, { what: 'the window to open' });
    const started = await api('POST', '/v1/archive/restores', { contactIds: [item.contactId] });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/v1/archive/restores/${started.body.id}`);
    const job = await finished(api, started.body.id);
    expect(job).toMatchObject({ status: 'succeeded', result: { restored: 1, conflicts: 0, skipped: 0 } });
    expect((await api('GET', `/v1/contacts/${item.contactId}`)).body.email).toBe('window@example.com');
    const restored = await tap.waitFor('events.contacts.contact.restored.v1', (d) => d.contactId === item.contactId);
    expect(restored.envelope.origin).toBe('restore');
    const outcomes = await fetch(`${system.gatewayUrl}${job.links.outcomes}`, {
      headers: { authorization: `Bearer ${system.token({ workspace, role: 'admin' })}` },
    });
    expect(await outcomes.text()).toBe(`contactId,email,outcome,detail\n${item.contactId},window@example.com,restored,\n`);

    const late = await archived(api, 'late@example.com');
    await waitFor(async () => (await api('GET', '/v1/archive/contacts?email=late@example.com')).body.items[0]?.notRestorableBecause === 'expired', {
      timeoutMs: 15_000,
      intervalMs: 250,
      what: 'the window to close',
    });
    const tooLate = await api('POST', '/v1/archive/restores', { contactIds: [late.contactId] });
    expect(tooLate.body.errors).toEqual([{ path: late.contactId, message: 'expired' }]);
    await tap.stop();
  });

  it('restores at once, whatever the age, when an archived contact submits a form; never a merged one', async () => {
    const workspace = uniqueWorkspace('form');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const item = await archived(api, 'former@example.com');
    expect(item.notRestorableBecause).toBe('frozen');
    await publish('events.forms.form.submitted.v1', workspace, { email: 'FORMER@example.com', formId: 'signup', submittedAt: new Date().toISOString() });
    await waitFor(async () => (await api('GET', `/v1/contacts/${item.contactId}`)).status === 200, { timeoutMs: 15_000, what: 'the automatic restore' });

    const merged = await archived(api, 'merged-away@example.com');
    await publish('events.contacts.contact.merged.v1', workspace, {
      primaryId: randomUUID(),
      duplicateId: merged.contactId,
      duplicateEmail: 'merged-away@example.com',
    });
    await waitFor(async () => (await api('GET', '/v1/archive/contacts?email=merged-away@example.com')).body.items[0].notRestorableBecause === 'merged', {
      what: 'the merge to be recorded',
    });
    await publish('events.forms.form.submitted.v1', workspace, { email: 'merged-away@example.com', submittedAt: new Date().toISOString() });
    // The first automatic restore's job may still be recording its outcome: one restore at a time.
    const refused = await waitFor(
      async () => {
        const res = await api('POST', '/v1/archive/restores', { contactIds: [merged.contactId] });
        return res.body.code === 'JOB_ALREADY_RUNNING' ? null : res;
      },
      { timeoutMs: 15_000, what: 'the automatic restore job to end' },
    );
    expect(refused.body.errors).toEqual([{ path: merged.contactId, message: 'merged' }]);
    expect((await api('GET', `/v1/contacts/${merged.contactId}`)).status).toBe(404);
  });

  it('lets only owners and admins restore, and shows nothing of one workspace to another', async () => {
    const workspace = uniqueWorkspace('roles');
    const admin = system.client(system.token({ workspace, role: 'admin' }));
    const item = await archived(admin, 'guarded@example.com');
    for (const role of ['manager', 'member'] as const) {
      const res = await system.client(system.token({ workspace, role }))('POST', '/v1/archive/restores', { contactIds: [item.contactId] });
      expect(res.status).toBe(403);
    }
    const other = system.client(system.token({ workspace: uniqueWorkspace('other'), role: 'admin' }));
    expect((await other('GET', '/v1/archive/contacts')).body.items).toEqual([]);
    const foreign = await other('POST', '/v1/archive/restores', { contactIds: [item.contactId] });
    expect(foreign.body.errors).toEqual([{ path: item.contactId, message: 'not_found' }]);
  });

  it('runs one restore at a time, and asks to confirm an overage of the active-contact limit', async () => {
    const workspace = uniqueWorkspace('limit');
    const api = system.client(system.token({ workspace, role: 'owner', plan: 'free' }));
    const items = [];
    for (let i = 0; i < 4; i += 1) items.push(await archived(api, `lim-${i}@example.com`));
    for (let i = 0; i < 3; i += 1) await api('POST', '/v1/contacts', { email: `live-${i}@example.com` });
    await waitFor(async () => (await api('GET', '/v1/archive/contacts?restorable=true')).body.items.length === 4, { what: 'the window to open' });

    const preview = await api('POST', '/v1/archive/restores?dryRun=true', { filter: { email: 'lim-0@example.com' } });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ dryRun: true, activeContacts: 3, limit: 4, projected: 4, refused: [] });

    const over = await api('POST', '/v1/archive/restores', { contactIds: items.map((i) => i.contactId) });
    expect([over.status, over.body.code]).toEqual([409, 'ACTIVE_CONTACT_LIMIT']);
    expect(over.body.detail).toMatch(/7 active contacts, 3 over its limit of 4/);
    expect((await api('GET', `/v1/contacts/${items[0].contactId}`)).status).toBe(404);

    const [a, b] = await Promise.all([
      api('POST', '/v1/archive/restores', { contactIds: items.slice(0, 2).map((i) => i.contactId), confirmOverage: true }),
      api('POST', '/v1/archive/restores', { contactIds: items.slice(2).map((i) => i.contactId), confirmOverage: true }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.code).toBe('JOB_ALREADY_RUNNING');
    const winner = a.status === 202 ? a : b;
    expect((await finished(api, winner.body.id)).result.restored).toBe(2);
  });
});

describe('archive purge', () => {
  const system = new TestSystem(['contacts', 'archive'], { ARCHIVE_FROZEN_FOR: '1ms', ARCHIVE_RESTORABLE_FOR: '1500ms', ARCHIVE_PURGE_INTERVAL: '200ms' });
  beforeAll(() => system.start());
  afterAll(() => system.stop());

  it('deletes a snapshot for good once the restore window closed, and says so', async () => {
    const workspace = uniqueWorkspace('purge');
    const tap = await new EventTap(workspace).start();
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const c = (await api('POST', '/v1/contacts', { email: 'purged@example.com' })).body;
    await api('POST', `/v1/contacts/${c.id}/archive`, {});
    await tap.waitFor('events.archive.contact.recorded.v1', (d) => d.contactId === c.id);
    const purged = await tap.waitFor('events.archive.contact.purged.v1', (d) => d.contactId === c.id, 15_000);
    expect(purged.envelope.data.email).toBe('purged@example.com');
    expect((await api('GET', '/v1/archive/contacts?email=purged@example.com')).body.items).toEqual([]);
    const refused = await api('POST', '/v1/archive/restores', { contactIds: [c.id] });
    expect(refused.body.errors).toEqual([{ path: c.id, message: 'not_found' }]);
    await tap.stop();
  });
});
