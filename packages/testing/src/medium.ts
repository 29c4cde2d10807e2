import { finishedJob, JobRunner, JobStore, type EnqueueInput, type FinishedJob, type JobDefinition } from '@custodian/jobs';
import { createAppDataSource, migrate } from '@custodian/persistence';
import { ObjectStorage, parseStorageConfig, type ArtifactKind, type StoredObject } from '@custodian/storage';
import { Readable } from 'node:stream';
import type { DataSource, MigrationInterface } from 'typeorm';
import { stackEnv } from './env.js';
import type { SeenEvent } from './event-tap.js';
import { waitFor } from './wait-for.js';

/**
 * What a "medium" test of an app's job or service stands on: the app's schema (a fresh one, with
 * the app's migrations run once) on the real database, and buckets of their own on the real S3
 * server. Collaborators that are other services (the command client) are replaced by the test,
 * explicitly, when it builds the class under test.
 */
export interface MediumStack {
  ds: DataSource;
  storage: ObjectStorage;
  jobs: JobStore;
  /** Drops the schema and the buckets, closes every connection. */
  close(): Promise<void>;
}

export async function mediumStack(app: string, migrations: (new () => MigrationInterface)[], buckets: readonly ArtifactKind[] = []): Promise<MediumStack> {
  const schema = `${app}_medium_${Math.random().toString(36).slice(2, 8)}`;
  const ds = createAppDataSource({ url: stackEnv().DATABASE_URL, schema, migrations, poolSize: 5 });
  await ds.initialize();
  await migrate(ds);
  const storage = new ObjectStorage({ ...parseStorageConfig(stackEnv()), bucketPrefix: `m-${Math.random().toString(36).slice(2, 8)}-` });
  await storage.ensureBuckets(buckets);
  return {
    ds,
    storage,
    jobs: new JobStore(ds),
    async close() {
      for (const bucket of buckets) {
        // One at a time: the local S3 server's batch delete removes keys in parallel and fails (500) on the folders they share.
        for (const key of await objectKeys({ storage }, bucket)) await storage.remove(bucket, key);
        await storage.client.removeBucket(storage.bucket(bucket));
      }
      await ds.query(`drop schema "${schema}" cascade`);
      await ds.destroy();
    },
  };
}

/**
 * Runs one job of a definition to its end on a runner of its own (the real runner: leases,
 * time limit, final transaction with the kind's onFinished) and answers how it ended.
 */
export async function runJob<P extends object, R extends object>(
  stack: MediumStack,
  definition: JobDefinition<P, R>,
  input: Omit<EnqueueInput<NoInfer<P>>, 'requestedBy'> & { requestedBy?: string },
  options: { timeoutMs?: number } = {},
): Promise<FinishedJob<P, R>> {
  const { job } = await stack.ds.transaction((em) => stack.jobs.enqueue(em, definition, { requestedBy: 'medium-test', ...input }));
  // The job has ended when the runner stops: no grace to wait for (the runner's grace timer would hold the test process up).
  const runner = new JobRunner(stack.ds, { instanceId: `medium-${job.id}`, jobs: [definition], leaseMs: 5000, pollIntervalMs: 50, stopGraceMs: 0 });
  runner.start();
  try {
    await waitFor(
      async () => {
        const status = await stack.jobs.status(job.id);
        return status && !['queued', 'running'].includes(status) ? status : null;
      },
      { timeoutMs: options.timeoutMs ?? 30_000, what: `${definition.kind} job ${job.id} to end` },
    );
  } finally {
    await runner.stop();
  }
  const row = await stack.jobs.find(stack.ds.manager, definition, input.workspaceId, job.id);
  return finishedJob<P, R>(row!);
}

/**
 * A runner of these kinds on the stack's database, with runJob's short lease and poll; not started.
 * For jobs the app's own code queues (start it, then `jobEnded`), or to cancel one (`cancel` needs no start).
 */
export function mediumRunner(stack: MediumStack, definitions: JobDefinition[], instanceId = `medium-${Math.random().toString(36).slice(2, 8)}`): JobRunner {
  return new JobRunner(stack.ds, { instanceId, jobs: definitions, leaseMs: 5000, pollIntervalMs: 50 });
}

/** Waits until a job is neither queued nor running and answers how it ended. */
export async function jobEnded<P extends object, R extends object>(
  stack: MediumStack,
  definition: JobDefinition<P, R>,
  workspaceId: string,
  id: string,
  options: { timeoutMs?: number } = {},
): Promise<FinishedJob<P, R>> {
  const row = await waitFor(
    async () => {
      const found = await stack.jobs.find(stack.ds.manager, definition, workspaceId, id);
      return found && !['queued', 'running'].includes(found.status) ? found : null;
    },
    { timeoutMs: options.timeoutMs ?? 30_000, what: `${definition.kind} job ${id} to end` },
  );
  return finishedJob<P, R>(row);
}

/** An event as the app's outbox holds it, its data typed by the event's spec. */
export interface OutboxEvent<T> {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  workspaceId: string;
  actor: { id: string };
  origin: string;
  correlationId: string;
  causationId?: string;
  data: T;
}

/** The events of one spec that the app recorded in its outbox, oldest first, optionally of one workspace only. */
export async function outboxEvents<T extends object>(
  stack: MediumStack,
  spec: { subject: string; fixture: T },
  workspaceId?: string,
): Promise<OutboxEvent<T>[]> {
  const rows = (await stack.ds.query(
    `select envelope from outbox where subject = $1 and ($2::text is null or envelope->>'workspaceId' = $2)
    order by created_at, id`,
    [spec.subject, workspaceId ?? null],
  )) as { envelope: OutboxEvent<T> }[];
  return rows.map((r) => r.envelope);
}

/** A command's failure as its handler answered it (code, message, details). */
export class CommandRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(`${code}: ${message}`);
    this.name = 'CommandRefused';
  }
}

type HandlerMethod<H, K extends keyof H> = H[K] extends (data: infer P, context: infer C) => Promise<infer R> ? { data: P; context: C; reply: R } : never;

/**
 * Calls the method of a command handler (marked @CommandHandler) as the transport does: a request of
 * context and data in, the payload validated, a refusal answered as the reply's error (thrown here as
 * CommandRefused) and the reply's data returned.
 */
export async function handleCommand<H extends object, K extends keyof H>(
  handlers: H,
  method: K,
  context: HandlerMethod<H, K>['context'],
  data: HandlerMethod<H, K>['data'],
): Promise<HandlerMethod<H, K>['reply']> {
  const handle = handlers[method] as unknown as (request: {
    context: unknown;
    data: unknown;
  }) => Promise<{ ok: true; data: HandlerMethod<H, K>['reply'] } | { ok: false; error: { code: string; message: string } & Record<string, unknown> }>;
  const reply = await handle.call(handlers, { context, data });
  if (!reply || typeof reply !== 'object' || !('ok' in reply)) throw new Error(`${String(method)} is not a command handler (marked @CommandHandler)`);
  if (!reply.ok) {
    const { code, message, ...details } = reply.error;
    throw new CommandRefused(code, message, details);
  }
  return reply.data;
}

/** An event recorded in the app's outbox, and the transaction that recorded it (PostgreSQL's xmin of its row). */
export interface RecordedEvent extends SeenEvent {
  transaction: string;
}

/**
 * The events recorded in the stack's outbox, oldest first, of one workspace and one subject when
 * given. Nothing publishes them in a medium test: they stay where the job's transaction wrote them.
 */
export async function recordedEvents(stack: MediumStack, filter: { workspaceId?: string; subject?: string } = {}): Promise<RecordedEvent[]> {
  return (await stack.ds.query(
    `select subject, envelope, xmin::text as transaction from outbox
    where ($1::text is null or envelope ->> 'workspaceId' = $1) and ($2::text is null or subject = $2) order by created_at, id`,
    [filter.workspaceId ?? null, filter.subject ?? null],
  )) as RecordedEvent[];
}

/** The transaction that gave a job its final status (its row's xmin), to compare with `RecordedEvent.transaction`. */
export async function jobTransaction(stack: MediumStack, jobId: string): Promise<string> {
  const [row] = (await stack.ds.query('select xmin::text as transaction from job where id = $1', [jobId])) as { transaction: string }[];
  if (!row) throw new Error(`no job ${jobId}`);
  return row.transaction;
}

/** Stores a small object (a test's CSV file) in one of the stack's buckets. */
export function putObject(stack: MediumStack, kind: ArtifactKind, key: string, body: string | Buffer): Promise<StoredObject> {
  return stack.storage.upload(kind, key, Readable.from([Buffer.from(body)]));
}

/** The keys of a bucket under a prefix, sorted. */
export async function objectKeys(stack: Pick<MediumStack, 'storage'>, kind: ArtifactKind, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of stack.storage.list(kind, prefix)) keys.push(o.key);
  return keys.sort();
}
