import { finishedJob, JobRunner, JobStore, type EnqueueInput, type FinishedJob, type JobDefinition } from '@custodian/jobs';
import { createAppDataSource, migrate } from '@custodian/persistence';
import { ObjectStorage, parseStorageConfig, type ArtifactKind } from '@custodian/storage';
import type { DataSource, MigrationInterface } from 'typeorm';
import { stackEnv } from './env.js';
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
        const keys: string[] = [];
        for await (const o of storage.list(bucket, '')) keys.push(o.key);
        if (keys.length) await storage.removeMany(bucket, keys);
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
  const runner = new JobRunner(stack.ds, { instanceId: `medium-${job.id}`, jobs: [definition], leaseMs: 5000, pollIntervalMs: 50 });
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
