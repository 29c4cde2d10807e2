import {
  createEnvelope,
  DomainError,
  ErrorCode,
  validationErrors,
  type CommandContext,
  type EventEnvelope,
  type EventSpec,
  type PayloadOf,
} from '@custodian/contracts';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { JetStreamClient } from '@nats-io/jetstream';
import { metrics } from '@custodian/observability';
import { channelOf, notifyOnCommit } from '@custodian/persistence';
import type { Logger } from 'pino';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { MAX_MESSAGE_BYTES } from './message-size.js';

/** The largest event recorded (see MAX_MESSAGE_BYTES). */
export const MAX_EVENT_BYTES = MAX_MESSAGE_BYTES;

/**
 * Writes an event in the caller's transaction. Nothing is published here: the relay publishes
 * rows once they are committed, so a rolled-back change never produces an event. Its causation is
 * the context's (see contextOf).
 */
export async function recordEvent<S extends EventSpec>(
  em: EntityManager,
  spec: S,
  context: CommandContext,
  data: PayloadOf<S>,
): Promise<EventEnvelope<PayloadOf<S>>> {
  const { subject } = spec;
  const { errors } = validationErrors(spec.payload, data);
  // An invalid event is a programming error: fail the business transaction rather than publish it.
  if (errors.length) throw new Error(`invalid ${subject} payload: ${JSON.stringify(errors)}`);
  const envelope = createEnvelope(subject, context, data);
  // NATS refuses messages over its payload limit (1 MiB by default): such an event could never be published, and
  // would hold up every event queued after it. Refused here, the change that would have raised it is refused too.
  const bytes = Buffer.byteLength(JSON.stringify(envelope));
  if (bytes > MAX_EVENT_BYTES) {
    throw new DomainError(
      ErrorCode.PayloadTooLarge,
      `the ${subject} event for this change would be ${bytes} bytes; events are limited to ${MAX_EVENT_BYTES} bytes`,
    );
  }
  await em.query('insert into outbox (id, subject, envelope) values ($1, $2, $3)', [envelope.id, subject, envelope]);
  // Delivered to listeners only when the transaction commits.
  await notifyOnCommit(em, 'outbox', envelope.id);
  return envelope;
}

/**
 * recordEvent for bulk work: one event per row of `dataSql` (a query with one jsonb column,
 * `data`), built and inserted by PostgreSQL in the caller's transaction, so the rows never travel
 * through this process. The query's first row is validated against the event's payload class: the
 * shape is the query's and the same for every row. Returns how many events were recorded.
 */
export async function recordEventsOf(em: EntityManager, spec: EventSpec, context: CommandContext, dataSql: string, params: unknown[] = []): Promise<number> {
  const { subject } = spec;
  const [first] = (await em.query(`select q.data from (${dataSql}) q limit 1`, params)) as { data: object }[];
  if (!first) return 0;
  const { errors } = validationErrors(spec.payload, first.data);
  if (errors.length) throw new Error(`invalid ${subject} payload: ${JSON.stringify(errors)}`);
  const { id: _id, data: _data, ...common } = createEnvelope(subject, context, null);
  const n = params.length;
  const [recorded] = (await em.query(
    `with inserted as (insert into outbox (id, subject, envelope)
       select e.id, $${n + 1}, jsonb_build_object('id', e.id) || $${n + 2}::jsonb || jsonb_build_object('data', e.data)
       from (select gen_random_uuid() as id, q.data from (${dataSql}) q) e returning id)
     select count(*)::int as events, min(id::text) as id from inserted`,
    [...params, subject, JSON.stringify(common)],
  )) as [{ events: number; id: string }];
  await notifyOnCommit(em, 'outbox', recorded.id);
  return recorded.events;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Fallback poll interval; a commit wakes the relay at once through LISTEN/NOTIFY. */
  pollIntervalMs?: number;
  /** Published rows older than this are deleted. */
  keepPublishedMs?: number;
}

/**
 * Publishes committed outbox rows to JetStream with `msgID` = event id, oldest first. Rows are
 * claimed with FOR UPDATE SKIP LOCKED, so any number of replicas can relay at once; a row is
 * marked published in the same transaction that claimed it, so a crash between publish and commit
 * republishes it and JetStream's duplicate window drops the copy.
 */
export class OutboxRelay {
  private stopped = true;
  private wake?: () => void;
  private loop?: Promise<void>;
  private listener?: QueryRunner;
  private lastCleanup = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.listener) {
      await this.listener.release().catch(() => undefined);
      this.listener = undefined;
    }
  }

  private async listen(): Promise<void> {
    try {
      const runner = this.dataSource.createQueryRunner();
      const client = (await runner.connect()) as { on(event: 'notification', fn: () => void): void };
      client.on('notification', () => this.wake?.());
      await runner.query(`listen "${channelOf(this.dataSource, 'outbox')}"`);
      this.listener = runner;
    } catch (err) {
      // Polling still delivers every event; only latency suffers.
      this.logger.warn({ err }, 'outbox relay could not LISTEN; polling only');
    }
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (!this.stopped) {
      let published = 0;
      try {
        published = await this.publishBatch();
        backoff = 0;
        await this.cleanup();
      } catch (err) {
        backoff = Math.min(backoff ? backoff * 2 : 250, 5000);
        this.logger.warn({ err: (err as Error).message, retryInMs: backoff }, 'outbox relay could not publish; will retry');
      }
      if (published === (this.options.batchSize ?? 100) && !backoff) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff || (this.options.pollIntervalMs ?? 1000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Publishes up to one batch; returns how many rows were published. */
  async publishBatch(): Promise<number> {
    let failure: unknown;
    const published = await this.dataSource.transaction(async (em) => {
      const rows: { id: string; subject: string; envelope: EventEnvelope }[] = await em.query(
        `select id, subject, envelope from outbox where published_at is null
         order by created_at, id limit $1 for update skip locked`,
        [this.options.batchSize ?? 100],
      );
      const done: string[] = [];
      try {
        // Publish in order, a few in flight at a time; stop at the first failure so order is kept.
        for (let i = 0; i < rows.length; i += 20) {
          const slice = rows.slice(i, i + 20);
          await Promise.all(
            slice.map((row) => {
              const h = natsHeaders();
              h.set('Custodian-Correlation-Id', row.envelope.correlationId);
              h.set('Custodian-Workspace-Id', row.envelope.workspaceId);
              return this.js.publish(row.subject, JSON.stringify(row.envelope), { msgID: row.id, headers: h });
            }),
          );
          done.push(...slice.map((r) => r.id));
          for (const r of slice) metrics.eventsPublished.inc({ subject: r.subject });
        }
      } catch (err) {
        // Keep what went out (committed below); the rest is retried.
        failure = err;
        metrics.eventPublishFailures.inc();
        const failed = rows.filter((r) => !done.includes(r.id)).map((r) => r.id);
        await em.query('update outbox set attempts = attempts + 1, last_error = $2 where id = any($1)', [failed, String((err as Error).message)]);
      }
      if (done.length) await em.query('update outbox set published_at = now(), attempts = attempts + 1 where id = any($1)', [done]);
      return done.length;
    });
    if (failure) throw failure;
    return published;
  }

  private async cleanup(): Promise<void> {
    const keep = this.options.keepPublishedMs ?? 7 * 86_400_000;
    if (Date.now() - this.lastCleanup < Math.min(keep, 3_600_000)) return;
    this.lastCleanup = Date.now();
    await this.dataSource.query(`delete from outbox where published_at < now() - make_interval(secs => $1)`, [keep / 1000]);
  }
}
