import { randomUUID } from 'node:crypto';
import { EVENT_STREAM } from '@custodian/contracts';
import { EventTap, stackEnv, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

describe('pre-change list snapshots follow the backup policy', () => {
  const system = new TestSystem(['contacts']);
  const workspace = uniqueWorkspace('snap');
  const tap = new EventTap(workspace);
  let nc: NatsConnection;

  beforeAll(async () => {
    await Promise.all([system.start(), tap.start()]);
    nc = await connect({ servers: stackEnv().NATS_SERVERS.split(',') });
  });
  afterAll(async () => {
    await nc.close();
    await Promise.all([system.stop(), tap.stop()]);
  });

  /** Publishes the policy as the backups service does. */
  async function publishPolicy(automaticBackups: boolean, excludedListIds: string[]) {
    const id = randomUUID();
    const envelope = {
      id,
      type: 'backups.policy.changed',
      version: 1,
      occurredAt: new Date().toISOString(),
      workspaceId: workspace,
      actor: { id: 'admin-1' },
      origin: 'app',
      correlationId: id,
      data: { automaticBackups, excludedListIds, updatedAt: new Date().toISOString() },
    };
    const ack = await jetstream(nc).publish('events.backups.policy.changed.v1', JSON.stringify(envelope), { msgID: id });
    expect(ack.stream).toBe(EVENT_STREAM);
  }

  async function listWithMembers(api: ReturnType<TestSystem['client']>, name: string) {
    const list = (await api('POST', '/v1/lists', { name })).body;
    await api('POST', '/v1/contacts', {
      email: `${name.replace(/\W/g, '')}-1@example.com`,
      fields: { plan: 'gold' },
      lists: [{ listId: list.id, status: 'unsubscribed' }],
    });
    await api('POST', '/v1/contacts', { email: `${name.replace(/\W/g, '')}-2@example.com`, lists: [{ listId: list.id, status: 'subscribed' }] });
    return list.id as string;
  }

  it('snapshots a list before a back-office deletion, not before an API one', async () => {
    const app = system.client(system.token({ workspace, client: 'app', sub: 'admin-1' }));
    const fromApp = await listWithMembers(app, 'Deleted in app');
    const deleted = await app('DELETE', `/v1/lists/${fromApp}`);
    expect(deleted.body.snapshotId).toEqual(expect.any(String));
    const snapshot = await tap.waitFor('events.contacts.list-snapshot.created.v1', (d) => d.listId === fromApp);
    expect(snapshot.envelope.data).toMatchObject({
      reason: 'deletion',
      listName: 'Deleted in app',
      rows: 2,
      requestedBy: 'admin-1',
      snapshotId: deleted.body.snapshotId,
    });
    const listDeleted = await tap.waitFor('events.contacts.list.deleted.v1', (d) => d.listId === fromApp);
    expect(listDeleted.envelope.data.snapshotId).toBe(deleted.body.snapshotId);

    const integration = system.client(system.token({ workspace, client: 'integration' }));
    const fromIntegration = await listWithMembers(integration, 'Deleted by connector');
    expect((await integration('DELETE', `/v1/lists/${fromIntegration}`)).body.snapshotId).toBeNull();
  });

  it('takes none when the workspace turned backups off, or for an excluded list', async () => {
    const app = system.client(system.token({ workspace, client: 'app' }));
    const excluded = await listWithMembers(app, 'Excluded');
    const included = await listWithMembers(app, 'Included');
    // The policy reaches contacts asynchronously. Probe lists, excluded too, tell when it has:
    // the first probe deleted without a snapshot.
    const probes: string[] = [];
    for (let i = 0; i < 30; i += 1) probes.push((await app('POST', '/v1/lists', { name: `Probe ${i}` })).body.id);
    await publishPolicy(true, [excluded, ...probes]);
    await waitFor(
      async () => {
        const probe = probes.shift();
        if (!probe) throw new Error('ran out of probe lists');
        return (await app('DELETE', `/v1/lists/${probe}`)).body.snapshotId === null;
      },
      { intervalMs: 100, what: 'contacts to follow the new policy' },
    );
    expect((await app('DELETE', `/v1/lists/${excluded}`)).body.snapshotId).toBeNull();
    expect((await app('DELETE', `/v1/lists/${included}`)).body.snapshotId).toEqual(expect.any(String));

    await publishPolicy(false, []);
    const off = await listWithMembers(app, 'Backups off');
    const result = await waitFor(
      async () => {
        const probe = await listWithMembers(app, `Off probe ${randomUUID().slice(0, 8)}`);
        const res = await app('DELETE', `/v1/lists/${probe}`);
        return res.body.snapshotId === null ? res : null;
      },
      { what: 'contacts to follow the policy that turns backups off' },
    );
    expect(result.body.snapshotId).toBeNull();
    expect((await app('DELETE', `/v1/lists/${off}`)).body.snapshotId).toBeNull();
  });
});
