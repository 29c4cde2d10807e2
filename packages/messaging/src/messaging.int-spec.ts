import { contactCreatedV1, DEAD_LETTER_STREAM, EVENT_STREAM, systemContext, type EventEnvelope } from '@custodian/contracts';
import { createAppDataSource, migrate } from '@custodian/persistence';
import { stackEnv, uniqueWorkspace, waitFor } from '@custodian/testing';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { durableName, EventConsumers } from './event-consumer.js';
import { MessagingTables1763800000000 } from './messaging-tables.migration.js';
import { connectNats, ensureStreams } from './nats.js';
import { MAX_EVENT_BYTES, OutboxRelay, recordEvent, recordEventsOf } from './outbox.js';

const SPEC = contactCreatedV1;
const SUBJECT = SPEC.subject;
const logger = pino({ level: 'silent' });
const schema = `msg_test_${Math.random().toString(36).slice(2, 8)}`;
const app = `t${Math.random().toString(36).slice(2, 8)}`;

function payload(email: string) {
  return { contactId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', email, firstName: null, lastName: null, fields: {}, createdAt: new Date().toISOString() };
}

describe('outbox, relay and durable consumers on the real stack', () => {
  let ds: DataSource;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  const consumers: EventConsumers[] = [];
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    ds = createAppDataSource({ url: stackEnv().DATABASE_URL, schema, migrations: [MessagingTables1763800000000] });
    await ds.initialize();
    await migrate(ds);
    nc = await connectNats(stackEnv().NATS_SERVERS, 'messaging-int-spec');
    jsm = await jetstreamManager(nc);
    await ensureStreams(jsm);
    js = jetstream(nc);
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await jsm.consumers.delete(EVENT_STREAM, durableName(app, SUBJECT)).catch(() => undefined);
    await jsm.consumers.delete(EVENT_STREAM, durableName(`${app}b`, SUBJECT)).catch(() => undefined);
    await ds.query(`drop schema "${schema}" cascade`);
    await ds.destroy();
    await nc.close();
  });

  function startConsumer(handler: (e: EventEnvelope) => Promise<void>, options = {}) {
    const c = new EventConsumers(app, ds, js, jsm, logger, { startFrom: 'new', retryDelayMs: 50, ...options });
    consumers.push(c);
    return c.start([{ subject: SUBJECT, name: 'test', handler: async (e) => handler(e) }]);
  }

  function startRelay() {
    const r = new OutboxRelay(ds, js, logger, { pollIntervalMs: 100 });
    relays.push(r);
    return r.start();
  }

  it('publishes an event only once its transaction commits, and never one that rolled back', async () => {
    const workspace = uniqueWorkspace();
    const seen: EventEnvelope[] = [];
    await startConsumer(async (e) => {
      if (e.workspaceId === workspace) seen.push(e);
    });
    await startRelay();

    await expect(
      ds.transaction(async (em) => {
        await recordEvent(em, SPEC, systemContext(workspace), payload('rolled-back@example.com'));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const committed = await ds.transaction((em) => recordEvent(em, SPEC, systemContext(workspace), payload('committed@example.com')));
    // An event NATS could never take is refused with the change that raised it, so it cannot hold up the others.
    const huge = { ...payload('huge@example.com'), fields: { notes: 'x'.repeat(MAX_EVENT_BYTES) } };
    await expect(ds.transaction((em) => recordEvent(em, SPEC, systemContext(workspace), huge))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });

    await waitFor(() => seen.length >= 1, { what: 'the committed event' });
    // Published in order: had the rolled-back one gone out, it would have arrived first.
    expect(seen.map((e) => e.id)).toEqual([committed.id]);
    expect(seen[0]).toMatchObject({ type: 'contacts.contact.created', version: 1, workspaceId: workspace, origin: 'system' });
    const [row] = await ds.query('select published_at from outbox where id = $1', [committed.id]);
    expect(row.published_at).not.toBeNull();
  });

  it('records one event per row of a query, each a complete envelope, and refuses a query of the wrong shape', async () => {
    const workspace = uniqueWorkspace();
    const seen: EventEnvelope[] = [];
    await startConsumer(async (e) => {
      if (e.workspaceId === workspace) seen.push(e);
    });
    await startRelay();
    const rows = `select jsonb_build_object('contactId', gen_random_uuid(), 'email', 'q' || i || '@example.com', 'firstName', null,
      'lastName', null, 'fields', '{}'::jsonb, 'createdAt', now()) as data from generate_series(1, $1::int) i`;
    await expect(ds.transaction((em) => recordEventsOf(em, SPEC, systemContext(workspace), "select jsonb_build_object('email', 1) as data"))).rejects.toThrow(
      /invalid/,
    );
    expect(await ds.transaction((em) => recordEventsOf(em, SPEC, systemContext(workspace), rows, [0]))).toBe(0);
    expect(await ds.transaction((em) => recordEventsOf(em, SPEC, systemContext(workspace), rows, [50]))).toBe(50);

    await waitFor(() => seen.length >= 50, { what: 'the 50 events' });
    expect(new Set(seen.map((e) => e.id)).size).toBe(50);
    expect(new Set(seen.map((e) => (e.data as { email: string }).email)).size).toBe(50);
    expect(seen[0]).toMatchObject({ type: 'contacts.contact.created', version: 1, workspaceId: workspace, origin: 'system', data: { firstName: null } });
    expect(typeof seen[0]!.occurredAt).toBe('string');
  });

  it('keeps events written while NATS is unreachable and publishes them later', async () => {
    const workspace = uniqueWorkspace();
    const seen = new Set<string>();
    await startConsumer(async (e) => {
      if (e.workspaceId === workspace) seen.add(e.id);
    });
    // A relay whose JetStream client always fails stands for the outage.
    const failing = { publish: () => Promise.reject(new Error('no connection')) } as unknown as JetStreamClient;
    const broken = new OutboxRelay(ds, failing, logger, { pollIntervalMs: 50 });
    const ids = await ds.transaction(async (em) => {
      const written: string[] = [];
      for (const i of [1, 2, 3]) written.push((await recordEvent(em, SPEC, systemContext(workspace), payload(`n${i}@example.com`))).id);
      return written;
    });
    await expect(broken.publishBatch()).rejects.toThrow('no connection');
    const pending = await ds.query('select count(*)::int as n from outbox where id = any($1) and published_at is null', [ids]);
    expect(pending[0].n).toBe(3);

    await startRelay();
    await waitFor(() => ids.every((id) => seen.has(id)), { what: 'all three events after the outage' });
  });

  it('runs a handler once per event even when the event is delivered twice', async () => {
    const workspace = uniqueWorkspace();
    let runs = 0;
    await startConsumer(async (e) => {
      if (e.workspaceId === workspace) runs += 1;
    });
    const envelope = await ds.transaction((em) => recordEvent(em, SPEC, systemContext(workspace), payload('twice@example.com')));
    // Publish the same event twice past JetStream's de-duplication (a different msgID), as a replayed stream would.
    await js.publish(SUBJECT, JSON.stringify(envelope), { msgID: `${envelope.id}-a` });
    await js.publish(SUBJECT, JSON.stringify(envelope), { msgID: `${envelope.id}-b` });
    await waitFor(
      async () => {
        const [row] = await ds.query('select count(*)::int as n from inbox where event_id = $1', [envelope.id]);
        return row.n === 1 && runs >= 1;
      },
      { what: 'the event to be handled' },
    );
    // Give the duplicate every chance to be delivered and acknowledged.
    await waitFor(
      async () => {
        const info = await jsm.consumers.info(EVENT_STREAM, durableName(app, SUBJECT));
        return info.num_ack_pending === 0 && info.num_pending === 0;
      },
      { what: 'the consumer to be drained' },
    );
    expect(runs).toBe(1);
  });

  it('retries a failing handler a bounded number of times, then parks the event on the dead-letter subject', async () => {
    const workspace = uniqueWorkspace();
    let attempts = 0;
    await startConsumer(
      async (e) => {
        if (e.workspaceId !== workspace) return;
        attempts += 1;
        throw new Error('downstream is broken');
      },
      { maxDeliver: 3 },
    );
    const envelope = await ds.transaction((em) => recordEvent(em, SPEC, systemContext(workspace), payload('poison@example.com')));
    await js.publish(SUBJECT, JSON.stringify(envelope), { msgID: envelope.id });

    const dead = await waitFor(
      async () => {
        try {
          return await jsm.streams
            .getMessage(DEAD_LETTER_STREAM, { last_by_subj: `dead-letter.${SUBJECT}` })
            .then((m) => (m && m.json<EventEnvelope>().id === envelope.id ? m : null));
        } catch {
          return null;
        }
      },
      { timeoutMs: 15_000, what: 'the dead letter' },
    );
    expect(attempts).toBe(3);
    expect(dead.header.get('Custodian-Dead-Letter-Reason')).toMatch(/downstream is broken/);
    // Parked means settled: nothing left waiting for an acknowledgement, so it is not delivered again.
    await waitFor(async () => (await jsm.consumers.info(EVENT_STREAM, durableName(app, SUBJECT))).num_ack_pending === 0, {
      what: 'the parked message to be settled',
    });
    // Handled nothing: the failed attempts left no inbox row behind.
    const [row] = await ds.query('select count(*)::int as n from inbox where event_id = $1', [envelope.id]);
    expect(row.n).toBe(0);
  });

  it('parks a message that is not a valid envelope at once', async () => {
    let calls = 0;
    await startConsumer(async () => {
      calls += 1;
    });
    const marker = uniqueWorkspace('junk');
    await js.publish(SUBJECT, JSON.stringify({ hello: marker }));
    await waitFor(
      async () => {
        try {
          const m = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { last_by_subj: `dead-letter.${SUBJECT}` });
          return m?.string().includes(marker);
        } catch {
          return false;
        }
      },
      { what: 'the junk message in the dead letters' },
    );
    expect(calls).toBe(0);
  });

  it('publishes every outbox row exactly once with several relays at work', async () => {
    const workspace = uniqueWorkspace();
    const seen: string[] = [];
    await startConsumer(async (e) => {
      if (e.workspaceId === workspace) seen.push(e.id);
    });
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      ids.push(
        ...(await ds.transaction(async (em) => {
          const written: string[] = [];
          for (let i = 0; i < 20; i += 1) written.push((await recordEvent(em, SPEC, systemContext(workspace), payload(`r${batch}-${i}@example.com`))).id);
          return written;
        })),
      );
    }
    // Three replicas' relays, each with its own connection pool, racing for the same rows.
    const replicas = await Promise.all(
      [1, 2].map(async () => {
        const other = createAppDataSource({ url: stackEnv().DATABASE_URL, schema, poolSize: 3 });
        await other.initialize();
        return other;
      }),
    );
    const extra = replicas.map((other) => new OutboxRelay(other, js, logger, { pollIntervalMs: 20, batchSize: 7 }));
    await Promise.all([startRelay(), ...extra.map((r) => r.start())]);
    try {
      await waitFor(() => ids.every((id) => seen.includes(id)), { timeoutMs: 15_000, what: 'all 200 events' });
      const rows = await ds.query('select count(*)::int as n from outbox where id = any($1) and published_at is not null and attempts = 1', [ids]);
      expect(rows[0].n).toBe(200);
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      await Promise.all(extra.map((r) => r.stop()));
      await Promise.all(replicas.map((r) => r.destroy()));
    }
  });
  it('stores the other events of a batch once when the database refuses one of them, and parks only that one', async () => {
    const workspace = uniqueWorkspace('poison');
    await ds.query('create table if not exists batch_effect (event_id uuid primary key, email text not null)');
    let transactions = 0;
    const subscription = {
      subject: SUBJECT,
      name: 'batch test',
      batch: {
        maxBatch: 100,
        handler: async (envelopes: EventEnvelope[], em: EntityManager) => {
          const mine = (envelopes as EventEnvelope<{ email: string }>[]).filter((e) => e.workspaceId === workspace);
          if (!mine.length) return;
          transactions += 1;
          for (const e of mine) {
            await em.query('insert into batch_effect (event_id, email) values ($1, $2) on conflict do nothing', [e.id, e.data.email]);
            // What the database cannot store, say a date it cannot read: a data exception (22007), the same every time.
            if (e.data.email.startsWith('poison')) await em.query(`select '2026-W48-1T10:00:00Z'::timestamptz`);
          }
        },
      },
    };
    // The durable consumer exists but nobody pulls while the events arrive: the next pull takes them all in one batch.
    const first = new EventConsumers(`${app}b`, ds, js, jsm, logger, { startFrom: 'new', retryDelayMs: 50, maxDeliver: 5 });
    await first.start([subscription]);
    await first.stop();
    const emails = ['a', 'b', 'c', 'poison', 'd', 'e', 'f'].map((n) => `${n}-batch@example.com`);
    const envelopes = await ds.transaction(async (em) => {
      const recorded: EventEnvelope[] = [];
      for (const email of emails) recorded.push(await recordEvent(em, SPEC, systemContext(workspace), payload(email)));
      return recorded;
    });
    for (const e of envelopes) await js.publish(SUBJECT, JSON.stringify(e), { msgID: e.id });
    // A batch that failed as a whole would come back only a minute later: all of this happens on the first delivery.
    const c = new EventConsumers(`${app}b`, ds, js, jsm, logger, { startFrom: 'new', retryDelayMs: 60_000, maxDeliver: 5 });
    consumers.push(c);
    await c.start([subscription]);
    const poison = envelopes[3]!;

    const dead = await waitFor(
      async () => {
        try {
          const m = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { last_by_subj: `dead-letter.${SUBJECT}` });
          return m && m.json<EventEnvelope>().id === poison.id ? m : null;
        } catch {
          return null;
        }
      },
      { timeoutMs: 15_000, what: 'the refused event in the dead letters' },
    );
    expect(dead.header.get('Custodian-Dead-Letter-Reason')).toMatch(/invalid input syntax|timestamp/i);
    await waitFor(async () => (await ds.query('select count(*)::int as n from batch_effect where email like $1', ['%-batch@example.com']))[0].n === 6, {
      what: 'the six other events to be stored',
    });
    const stored = (await ds.query('select email from batch_effect where email like $1 order by email', ['%-batch@example.com'])) as { email: string }[];
    expect(stored.map((r) => r.email)).toEqual(emails.filter((e) => !e.startsWith('poison')).sort());
    await waitFor(async () => (await jsm.consumers.info(EVENT_STREAM, durableName(`${app}b`, SUBJECT))).num_ack_pending === 0, {
      what: 'every event of the batch to be settled',
    });
    // Split in halves down to the refused event: a handful of transactions, each event in only a few.
    expect(transactions).toBeLessThan(2 * emails.length);
  });
});
