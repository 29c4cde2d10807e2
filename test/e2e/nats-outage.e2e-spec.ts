import { EVENT_STREAM } from '@custodian/contracts';
import { PrivateNatsServer, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** Every contact.created event of the workspace in the stream, in stream order. */
async function createdEvents(natsUrl: string, workspace: string): Promise<{ id: string; contactId: string }[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(EVENT_STREAM);
    const out: { id: string; contactId: string }[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq += 1) {
      const m = await jsm.streams.getMessage(EVENT_STREAM, { seq }).catch(() => null);
      if (!m || m.subject !== 'events.contacts.contact.created.v1') continue;
      const e = m.json<{ id: string; workspaceId: string; data: { contactId: string } }>();
      if (e.workspaceId === workspace) out.push({ id: e.id, contactId: e.data.contactId });
    }
    return out;
  } finally {
    await nc.close();
  }
}

describe('a NATS outage', () => {
  const nats = new PrivateNatsServer();
  let system: TestSystem;
  const workspace = uniqueWorkspace('outage');

  beforeAll(async () => {
    await nats.start();
    system = await new TestSystem(['contacts'], { NATS_SERVERS: nats.url, GATEWAY_COMMAND_TIMEOUT: '2s' }).start();
  });
  afterAll(async () => {
    await system?.stop();
    await nats.destroy();
  });

  it('loses no event and publishes none twice: what was committed is published once NATS is back', async () => {
    const api = system.client(system.token({ workspace }));
    const statuses: number[] = [];
    let next = 0;
    const create = async () => {
      const i = next++;
      const res = await api('POST', '/v1/contacts', { email: `outage-${i}@example.com` }).catch(() => ({ status: 0 }));
      statuses.push(res.status);
    };
    // Some traffic, then the outage in the middle of more traffic, then traffic again.
    for (let i = 0; i < 10; i += 1) await create();
    const during = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 5; i += 1) await create();
    });
    await nats.stop();
    await Promise.all(during);
    await nats.start();
    await waitFor(async () => (await api('GET', '/v1/contacts?limit=1')).status === 200, { timeoutMs: 20_000, what: 'the system to answer again' });
    for (let i = 0; i < 10; i += 1) await create();

    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(20);
    expect(statuses.some((s) => s !== 201)).toBe(true); // the outage was real: some requests could not be served

    // What exists is the truth (a request can time out after its transaction committed).
    const existing: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof api>> = await api('GET', `/v1/contacts?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      existing.push(...page.body.items.map((c: { id: string }) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);

    const events = await waitFor(
      async () => {
        const found = await createdEvents(nats.url, workspace);
        return found.length >= existing.length ? found : null;
      },
      { timeoutMs: 20_000, what: 'an event for every committed contact' },
    );
    expect(events.map((e) => e.contactId).sort()).toEqual([...existing].sort());
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });
});
