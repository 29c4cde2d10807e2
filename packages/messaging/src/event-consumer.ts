import { DEAD_LETTER_PREFIX, envelopeProblem, EVENT_STREAM, type EventEnvelope, messageSpec, validationErrors } from '@custodian/contracts';
import { metrics, withLogContext } from '@custodian/observability';
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';

export type EventHandler<T = unknown> = (envelope: EventEnvelope<T>, em: EntityManager) => Promise<void>;
export type EventBatchHandler<T = unknown> = (
  envelopes: EventEnvelope<T>[],
  em: EntityManager,
) => Promise<{ rejected?: { id: string; reason: string }[] } | void>;

export interface EventSubscription {
  subject: string;
  /** One event per transaction, with its inbox row... */
  handler?: EventHandler;
  /** ...or many per transaction (bulk ingestion), idempotent by event id on its own. */
  batch?: { handler: EventBatchHandler; maxBatch: number };
  /** For logs and errors: where the handler lives. */
  name: string;
}

export interface EventConsumerOptions {
  /** Deliveries before a failing message goes to the dead-letter subject. */
  maxDeliver?: number;
  ackWaitMs?: number;
  /** Delay before a failed message is delivered again (grows with each attempt). */
  retryDelayMs?: number;
  /** Where a new durable consumer starts: every stored event (default) or only new ones. */
  startFrom?: 'all' | 'new';
}

interface ReadableEvent {
  msg: JsMsg;
  envelope: EventEnvelope;
}

/** PostgreSQL refused the data itself (classes 22, data exception, and 23, integrity): storing it again fails again. */
function refusedData(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

export function durableName(app: string, subject: string): string {
  return `${app}__${subject.replace(/[.>*]/g, '_')}`;
}

/**
 * Durable pull consumers, one per (app, subject), shared by every replica of the app. A message is
 * handled in a database transaction together with its inbox row, so a redelivered event is
 * acknowledged without running the handler twice. Failures are retried with a delay; after the last
 * attempt (or at once for a message that can never succeed) it goes to `dead-letter.<subject>`.
 */
export class EventConsumers {
  private readonly running: { stop: () => void; done: Promise<void> }[] = [];

  constructor(
    private readonly app: string,
    private readonly dataSource: DataSource,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly logger: Logger,
    private readonly options: EventConsumerOptions = {},
  ) {}

  async start(subscriptions: EventSubscription[]): Promise<void> {
    for (const sub of subscriptions) {
      const durable = durableName(this.app, sub.subject);
      const config = {
        durable_name: durable,
        filter_subject: sub.subject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: this.options.startFrom === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
        // Two spare deliveries so a failed dead-letter publish is retried too.
        max_deliver: this.maxDeliver + 2,
        ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
        ...(sub.batch ? { max_ack_pending: sub.batch.maxBatch * 4 } : {}),
      };
      try {
        await this.jsm.consumers.add(EVENT_STREAM, config);
      } catch (err) {
        // Exists already (another replica, or an earlier run): bring its settings up to date.
        const { durable_name: _name, deliver_policy: _policy, filter_subject: _filter, ...update } = config;
        try {
          await this.jsm.consumers.update(EVENT_STREAM, durable, update);
        } catch {
          throw err;
        }
      }
      const consumer = await this.js.consumers.get(EVENT_STREAM, durable);
      // Two pullers on the same consumer: one batch is in the database while the next is fetched and read.
      for (let puller = 0; sub.batch && puller < 2; puller += 1) {
        const batch = sub.batch;
        const control = { stopped: false, current: undefined as ConsumerMessages | undefined };
        const done = (async () => {
          while (!control.stopped) {
            try {
              control.current = await consumer.fetch({ max_messages: batch.maxBatch, expires: 1000 });
              const msgs: JsMsg[] = [];
              for await (const msg of control.current) msgs.push(msg);
              if (msgs.length) await this.handleBatch(sub.name, batch.handler, durable, msgs);
            } catch (err) {
              if (control.stopped) break;
              this.logger.warn({ err: (err as Error).message, subject: sub.subject }, 'batch consumer fetch failed; retrying');
              await new Promise((r) => setTimeout(r, 1000));
            }
          }
        })();
        this.running.push({
          stop: () => {
            control.stopped = true;
            control.current?.stop();
          },
          done,
        });
      }
      if (sub.batch) continue;
      const messages = await consumer.consume({ max_messages: 32 });
      const done = (async () => {
        for await (const msg of messages) await this.handle(sub, durable, msg);
      })();
      this.running.push({ stop: () => messages.stop(), done });
    }
  }

  /**
   * A batch in one transaction. Unreadable events and those the handler rejects go to the dead
   * letters; the rest are acknowledged after the commit.
   */
  private async handleBatch(name: string, handler: EventBatchHandler, consumer: string, msgs: JsMsg[]): Promise<void> {
    const readable: ReadableEvent[] = [];
    for (const msg of msgs) {
      try {
        readable.push({ msg, envelope: this.parse(msg) });
      } catch (err) {
        await this.deadLetter(msg, consumer, err);
      }
    }
    if (readable.length) await this.storeBatch(name, handler, consumer, readable);
  }

  /**
   * When the database refuses the data of an event (a value it cannot store), the batch is split in
   * halves, down to that one event: the others are stored once and only it goes to the dead letters.
   * Any other failure (the database unreachable, a deadlock) has every event delivered again later,
   * or parked after its last attempt.
   */
  private async storeBatch(name: string, handler: EventBatchHandler, consumer: string, readable: ReadableEvent[]): Promise<void> {
    try {
      const outcome = await this.dataSource.transaction((em) =>
        handler(
          readable.map((r) => r.envelope),
          em,
        ),
      );
      const rejected = new Map((outcome?.rejected ?? []).map((r) => [r.id, r.reason]));
      for (const { msg, envelope } of readable) {
        const reason = rejected.get(envelope.id);
        if (reason) await this.deadLetter(msg, consumer, new Error(reason));
        else msg.ack();
      }
      metrics.eventsHandled.inc({ subject: readable[0]!.msg.subject, outcome: 'handled' }, readable.length - rejected.size);
    } catch (err) {
      if (refusedData(err)) {
        if (readable.length === 1) return this.deadLetter(readable[0]!.msg, consumer, err);
        const half = Math.ceil(readable.length / 2);
        await this.storeBatch(name, handler, consumer, readable.slice(0, half));
        await this.storeBatch(name, handler, consumer, readable.slice(half));
        return;
      }
      this.logger.warn({ err: (err as Error).message, events: readable.length }, `event batch handler ${name} failed; will retry`);
      for (const { msg } of readable) {
        const attempt = msg.info.deliveryCount;
        if (attempt >= this.maxDeliver) await this.deadLetter(msg, consumer, err);
        else msg.nak((this.options.retryDelayMs ?? 1000) * attempt);
      }
    }
  }

  async stop(): Promise<void> {
    for (const r of this.running) r.stop();
    await Promise.allSettled(this.running.map((r) => r.done));
    this.running.length = 0;
  }

  private get maxDeliver(): number {
    return this.options.maxDeliver ?? 5;
  }

  private async handle(sub: EventSubscription, consumer: string, msg: JsMsg): Promise<void> {
    let envelope: EventEnvelope;
    try {
      envelope = this.parse(msg);
    } catch (err) {
      // A message that cannot be read will never succeed: straight to the dead letters.
      await this.deadLetter(msg, consumer, err);
      return;
    }
    await withLogContext({ correlationId: envelope.correlationId, workspaceId: envelope.workspaceId, eventId: envelope.id }, async () => {
      try {
        const handled = await this.dataSource.transaction(async (em) => {
          const inserted: unknown[] = await em.query(
            'insert into inbox (consumer, event_id, subject) values ($1, $2, $3) on conflict do nothing returning event_id',
            [consumer, envelope.id, msg.subject],
          );
          if (!inserted.length) return false; // handled before: acknowledge only
          await sub.handler!(envelope, em);
          return true;
        });
        msg.ack();
        metrics.eventsHandled.inc({ subject: msg.subject, outcome: handled ? 'handled' : 'duplicate' });
      } catch (err) {
        const attempt = msg.info.deliveryCount;
        if (attempt >= this.maxDeliver) {
          await this.deadLetter(msg, consumer, err);
        } else {
          this.logger.warn({ err: (err as Error).message, subject: msg.subject, attempt }, `event handler ${sub.name} failed; will retry`);
          msg.nak((this.options.retryDelayMs ?? 1000) * attempt);
          metrics.eventsHandled.inc({ subject: msg.subject, outcome: 'retried' });
        }
      }
    });
  }

  private parse(msg: JsMsg): EventEnvelope {
    const plain = msg.json<EventEnvelope>();
    const problem = envelopeProblem(plain);
    if (problem) throw new Error(`invalid envelope: ${problem}`);
    const spec = messageSpec(msg.subject);
    if (spec.check) {
      const dataProblem = spec.check(plain.data);
      if (dataProblem) throw new Error(`invalid ${msg.subject} payload: ${dataProblem}`);
      return plain;
    }
    const data = validationErrors(spec.payload, plain.data);
    if (data.errors.length) throw new Error(`invalid ${msg.subject} payload: ${JSON.stringify(data.errors)}`);
    return plain;
  }

  private async deadLetter(msg: JsMsg, consumer: string, err: unknown): Promise<void> {
    const reason = (err as Error)?.message ?? String(err);
    this.logger.error({ subject: msg.subject, consumer, reason, deliveries: msg.info.deliveryCount }, 'event moved to dead letters');
    const h = natsHeaders();
    h.set('Custodian-Dead-Letter-Reason', reason.slice(0, 1000));
    h.set('Custodian-Dead-Letter-Consumer', consumer);
    h.set('Custodian-Original-Subject', msg.subject);
    try {
      await this.js.publish(`${DEAD_LETTER_PREFIX}.${msg.subject}`, msg.data, { headers: h, msgID: `${consumer}:${msg.seq}` });
      // No reason on the term: NATS 2.9 ignores a +TERM that carries one, and would deliver the message again.
      msg.term();
      metrics.eventsHandled.inc({ subject: msg.subject, outcome: 'dead-lettered' });
    } catch (publishErr) {
      // Could not park it: let it be delivered again rather than lose it.
      this.logger.error({ err: (publishErr as Error).message }, 'could not publish to dead letters');
      msg.nak(5000);
    }
  }
}
