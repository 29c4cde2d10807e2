import { createAppDataSource, migrate } from '@custodian/persistence';
import { stackEnv, waitFor } from '@custodian/testing';
import type { DataSource } from 'typeorm';
import { defineJob, JobFailure, type ClaimedJob, type FinishedJob, type JobContext } from './job-definition.js';
import { JobRunner, type JobRunnerOptions } from './job-runner.js';
import { JobStore, type EnqueueInput } from './job-store.js';
import { JobTables1763800000001 } from './job-tables.migration.js';

const schema = `jobs_test_${Math.random().toString(36).slice(2, 8)}`;
const dataSource = () => createAppDataSource({ url: stackEnv().DATABASE_URL, schema, migrations: [JobTables1763800000001], poolSize: 5 });

describe('durable jobs on the real database', () => {
  let ds: DataSource;
  let replica: DataSource;
  let store: JobStore;
  const runners: JobRunner[] = [];

  beforeAll(async () => {
    ds = dataSource();
    await ds.initialize();
    await migrate(ds);
    replica = dataSource();
    await replica.initialize();
    store = new JobStore(ds);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await ds.query(`drop schema "${schema}" cascade`);
    await Promise.all([ds.destroy(), replica.destroy()]);
  });

  type Params = Record<string, unknown>;
  type Run = (job: ClaimedJob<Params>, ctx: JobContext) => Promise<object | void>;
  interface KindOptions {
    priority?: number;
    onFinished?: (em: unknown, job: FinishedJob<Params>) => Promise<void>;
  }
  /** A kind of job for these tests: its params are any object. */
  const kind = (name: string, run?: Run, options: KindOptions = {}) =>
    defineJob<Params>({ kind: name, run: async (job, ctx) => (await run?.(job, ctx)) ?? {}, ...options });

  function runner(handlers: Record<string, Run>, options: Partial<JobRunnerOptions> & { kinds?: Record<string, KindOptions> } = {}, source = ds) {
    const { kinds, ...rest } = options;
    const jobs = Object.entries(handlers).map(([name, run]) => kind(name, run, kinds?.[name]));
    const r = new JobRunner(source, {
      instanceId: `r${runners.length}-${Math.random()}`,
      jobs,
      leaseMs: 1000,
      heartbeatMs: 200,
      pollIntervalMs: 50,
      stopGraceMs: 2000,
      ...rest,
    });
    runners.push(r);
    r.start();
    return r;
  }

  const enqueue = (input: Partial<EnqueueInput<Params>> & { kind: string }) => {
    const { kind: name, ...rest } = input;
    return ds.transaction((em) => store.enqueue(em, kind(name), { workspaceId: 'w1', params: {}, requestedBy: 'u1', ...rest }));
  };

  /** Cancels a queued job through a runner of its kind that claims nothing. */
  const cancel = (workspaceId: string, id: string, name: string) =>
    ds.transaction((em) => new JobRunner(ds, { instanceId: 'canceller', jobs: [kind(name)] }).cancel(em, workspaceId, id));

  const finalJob = (workspaceId: string, id: string, timeoutMs = 10_000) =>
    waitFor(
      async () => {
        const job = await store.get(workspaceId, id);
        return job && !['queued', 'running'].includes(job.status) ? job : null;
      },
      { timeoutMs, what: `job ${id} to end` },
    );

  it('runs a job, records progress and result, and tells the app in the final transaction', async () => {
    const finished: FinishedJob<Params>[] = [];
    runner(
      {
        count: async (job, ctx) => {
          await ctx.progress(5, 10);
          return { echoed: job.params.n };
        },
      },
      {
        kinds: {
          count: {
            onFinished: async (_em, job) => {
              finished.push(job);
            },
          },
        },
      },
    );
    const { job } = await enqueue({ kind: 'count', params: { n: 42 } });
    expect(job.status).toBe('queued');
    const done = await finalJob('w1', job.id);
    expect(done).toMatchObject({ status: 'succeeded', result: { echoed: 42 }, progress: { done: 10, total: 10 }, error: null });
    expect(done.startedAt).not.toBeNull();
    expect(finished.map((j) => j.id)).toEqual([job.id]);
    expect(await store.get('w2', job.id)).toBeNull();
  });

  it('allows one active job per workspace and key, enforced by the database', async () => {
    const first = await enqueue({ kind: 'export', concurrencyKey: 'export', workspaceId: 'wa' });
    await expect(enqueue({ kind: 'export', concurrencyKey: 'export', workspaceId: 'wa' })).rejects.toMatchObject({ code: 'JOB_ALREADY_RUNNING' });
    // Straight SQL cannot get around it either.
    await expect(ds.query(`insert into job (workspace_id, kind, requested_by, concurrency_key) values ('wa', 'export', 'x', 'export')`)).rejects.toThrow(
      /job_one_active_per_key/,
    );
    await enqueue({ kind: 'export', concurrencyKey: 'export', workspaceId: 'wb' });
    await cancel('wa', first.job.id, 'export');
    await enqueue({ kind: 'export', concurrencyKey: 'export', workspaceId: 'wa' });
  });

  it('refuses early while a job holds the key, and makes a second request wait for the first to queue its job', async () => {
    const ws = `wr-${Date.now()}`;
    const input = { kind: 'restore', concurrencyKey: 'restore', workspaceId: ws, params: {}, requestedBy: 'u1' };
    // The first request holds the lock until it has queued its job and committed.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const first = ds.transaction(async (em) => {
      await store.refuseWhileActive(em, ws, 'restore');
      const { kind: name, ...rest } = input;
      const queued = await store.enqueue(em, kind(name), { ...rest, idempotencyKey: 'k-first' });
      await held;
      return queued.job;
    });
    await waitFor(async () => (await ds.query(`select 1 from pg_locks where locktype = 'advisory' and granted`)).length > 0, { what: 'the first lock' });
    let secondDone = false;
    const second = ds
      .transaction((em) => store.refuseWhileActive(em, ws, 'restore'))
      .finally(() => {
        secondDone = true;
      });
    second.catch(() => undefined);
    await waitFor(async () => (await ds.query(`select 1 from pg_locks where locktype = 'advisory' and not granted`)).length > 0, {
      what: 'the second to wait',
    });
    expect(secondDone).toBe(false);
    release();
    const job = await first;
    await expect(second).rejects.toMatchObject({ code: 'JOB_ALREADY_RUNNING', details: { errors: [{ path: 'job', message: job.id }] } });
    // The same request again (same idempotency key) is let through to find its job.
    await expect(ds.transaction((em) => store.refuseWhileActive(em, ws, 'restore', 'k-first'))).resolves.toBeUndefined();
    await cancel(ws, job.id, 'restore');
    await expect(ds.transaction((em) => store.refuseWhileActive(em, ws, 'restore'))).resolves.toBeUndefined();
  });

  it('answers a repeated idempotency key with the first job, and refuses it for other parameters', async () => {
    const a = await enqueue({ kind: 'import', idempotencyKey: 'k1', params: { x: 1 }, workspaceId: 'wi' });
    const b = await enqueue({ kind: 'import', idempotencyKey: 'k1', params: { x: 1 }, workspaceId: 'wi' });
    expect(b).toEqual({ job: a.job, existing: true });
    await expect(enqueue({ kind: 'import', idempotencyKey: 'k1', params: { x: 2 }, workspaceId: 'wi' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('never runs a job twice when two replicas compete', async () => {
    const runs = new Map<string, number>();
    const handler: Run = async (job) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    };
    const ids: string[] = [];
    for (let i = 0; i < 50; i += 1) ids.push((await enqueue({ kind: 'race', workspaceId: 'wr' })).job.id);
    runner({ race: handler }, { concurrency: 4 });
    runner({ race: handler }, { concurrency: 4 }, replica);
    await waitFor(
      async () => {
        const [{ n }] = await ds.query(`select count(*)::int as n from job where kind = 'race' and status = 'succeeded'`);
        return n === 50;
      },
      { timeoutMs: 20_000, what: 'all 50 jobs' },
    );
    expect(ids.every((id) => runs.get(id) === 1)).toBe(true);
  });

  it('hands the job of a dead process to another replica once its lease lapses', async () => {
    const { job } = await enqueue({ kind: 'crashy', workspaceId: 'wc' });
    // A process that claimed the job and died: running, lease expired, one attempt used.
    await ds.query(
      `update job set status = 'running', lease_owner = 'dead', lease_expires_at = now() - interval '1 second', attempts = 1, started_at = now() where id = $1`,
      [job.id],
    );
    runner({ crashy: async (claimed) => ({ attempt: claimed.attempt }) });
    const done = await finalJob('wc', job.id);
    expect(done).toMatchObject({ status: 'succeeded', result: { attempt: 2 } });
  });

  it('gives up on a job whose process died on every attempt', async () => {
    const { job } = await enqueue({ kind: 'doomed', workspaceId: 'wd', maxAttempts: 2 });
    await ds.query(`update job set status = 'running', lease_owner = 'dead', lease_expires_at = now() - interval '1 second', attempts = 2 where id = $1`, [
      job.id,
    ]);
    let ran = false;
    runner({
      doomed: async () => {
        ran = true;
      },
    });
    const done = await finalJob('wd', job.id);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'JOB_ABANDONED' } });
    expect(ran).toBe(false);
  });

  it('discards a job that runs past its time limit and aborts its handler', async () => {
    let aborted = false;
    runner({
      slow: (_job, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            reject(ctx.signal.reason);
          });
        }),
    });
    const { job } = await enqueue({ kind: 'slow', workspaceId: 'wt', timeoutMs: 300 });
    const done = await finalJob('wt', job.id);
    expect(done).toMatchObject({ status: 'discarded', error: { code: 'JOB_TIMED_OUT' } });
    await waitFor(() => aborted, { what: 'the handler to be aborted' });
  });

  it('claims the kinds it is told to put first before older jobs of other kinds', async () => {
    const order: string[] = [];
    const background = await enqueue({ kind: 'sweep', workspaceId: 'wp', params: { n: 1 } });
    const older = await enqueue({ kind: 'sweep', workspaceId: 'wp', params: { n: 2 } });
    const urgent = await enqueue({ kind: 'wanted', workspaceId: 'wp' });
    const record = async (job: { kind: string; params: Record<string, unknown> }) => {
      order.push(`${job.kind}${job.params.n ?? ''}`);
    };
    runner({ sweep: record, wanted: record }, { concurrency: 1, kinds: { wanted: { priority: 1 } } });
    for (const { job } of [background, older, urgent]) await finalJob('wp', job.id);
    expect(order).toEqual(['wanted', 'sweep1', 'sweep2']);
  });

  it('records a failure with the code and message of the JobFailure the handler threw', async () => {
    runner({
      bad: async () => {
        throw new JobFailure('IMPORT_FILE_INVALID', 'row 7: not an email');
      },
    });
    const { job } = await enqueue({ kind: 'bad', workspaceId: 'wf' });
    expect(await finalJob('wf', job.id)).toMatchObject({ status: 'failed', error: { code: 'IMPORT_FILE_INVALID', message: 'row 7: not an email' } });
  });

  it('shows any other error as JOB_FAILED, never its code or words', async () => {
    // What a driver throws: a PostgreSQL code and a message naming a constraint.
    runner({
      broken: async () => {
        throw Object.assign(new Error('duplicate key value violates unique constraint "secret_idx"'), { code: '23505' });
      },
    });
    const { job } = await enqueue({ kind: 'broken', workspaceId: 'wf' });
    const done = await finalJob('wf', job.id);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'JOB_FAILED' } });
    expect(done.error!.message).not.toMatch(/secret_idx|duplicate key/);
    expect(done.error!.message).toContain(job.id);
  });

  it("calls the end of a job's own kind only, with its params", async () => {
    const ended: string[] = [];
    const end = (name: string) => ({
      onFinished: async (_em: unknown, job: FinishedJob<Params>) => {
        ended.push(`${name}:${job.kind}:${String(job.params.n)}`);
      },
    });
    runner({ one: async () => ({}), two: async () => ({}) }, { kinds: { one: end('one'), two: end('two') } });
    const a = await enqueue({ kind: 'one', workspaceId: 'we', params: { n: 1 } });
    const b = await enqueue({ kind: 'two', workspaceId: 'we', params: { n: 2 } });
    await finalJob('we', a.job.id);
    await finalJob('we', b.job.id);
    expect(ended.sort()).toEqual(['one:one:1', 'two:two:2']);
  });

  it('cancels a running job: its end runs in the cancelling transaction, and its handler is stopped', async () => {
    let started = false;
    let aborted = false;
    const ended: string[] = [];
    const r = runner(
      {
        held: (_job, ctx) =>
          new Promise((_resolve, reject) => {
            started = true;
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              reject(ctx.signal.reason);
            });
          }),
      },
      {
        kinds: {
          held: {
            onFinished: async (_em, job) => {
              ended.push(job.status);
            },
          },
        },
      },
    );
    const { job } = await enqueue({ kind: 'held', workspaceId: 'wk' });
    await waitFor(() => started, { what: 'the job to start' });
    await expect(ds.transaction((em) => r.cancel(em, 'wk', job.id))).rejects.toMatchObject({ code: 'JOB_ALREADY_RUNNING' });
    await ds.transaction((em) => r.cancel(em, 'wk', job.id, { running: true, code: 'EXPORT_CANCELLED', message: 'cancelled by u1' }));
    expect(await store.get('wk', job.id)).toMatchObject({ status: 'cancelled', error: { code: 'EXPORT_CANCELLED', message: 'cancelled by u1' } });
    expect(ended).toEqual(['cancelled']);
    await waitFor(() => aborted, { what: 'the handler to be stopped' });
    await expect(ds.transaction((em) => r.cancel(em, 'wk', job.id, { running: true }))).rejects.toMatchObject({ code: 'JOB_ALREADY_RUNNING' });
    await expect(ds.transaction((em) => r.cancel(em, 'other', job.id, { running: true }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("commits a handler's own writes together with its final status", async () => {
    await ds.query('create table if not exists effect (job_id uuid primary key)');
    runner({
      atomic: async (job, ctx) => {
        await ds.transaction(async (em) => {
          await em.query('insert into effect (job_id) values ($1)', [job.id]);
          await ctx.finishIn(em, { wrote: 1 });
        });
      },
    });
    const { job } = await enqueue({ kind: 'atomic', workspaceId: 'wx' });
    expect(await finalJob('wx', job.id)).toMatchObject({ status: 'succeeded', result: { wrote: 1 } });
    expect(await ds.query('select job_id from effect where job_id = $1', [job.id])).toHaveLength(1);
  });

  it('releases the jobs of a stopping runner to the next one', async () => {
    let started = false;
    const first = runner(
      {
        long: (_job, ctx) =>
          new Promise((_r, reject) => {
            started = true;
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
          }),
      },
      { stopGraceMs: 500 },
    );
    const { job } = await enqueue({ kind: 'long', workspaceId: 'ws' });
    await waitFor(() => started, { what: 'the first runner to start the job' });
    await first.stop();
    runner({ long: async () => ({ by: 'second' }) });
    expect(await finalJob('ws', job.id)).toMatchObject({ status: 'succeeded', result: { by: 'second' } });
  });

  it('lets no other replica start the job of a stopping runner until its handler has ended, past the grace too', async () => {
    let started = false;
    let finishWork!: () => void;
    const work = new Promise<void>((resolve) => (finishWork = resolve));
    // A handler that takes its time to heed the abort (it finishes a write first).
    const first = runner(
      {
        slow: async () => {
          started = true;
          await work;
          return { by: 'first' };
        },
      },
      { stopGraceMs: 100 },
    );
    const { job } = await enqueue({ kind: 'slow', workspaceId: 'ws' });
    await waitFor(() => started, { what: 'the first runner to start the job' });
    let stopped = false;
    const stopping = first.stop().then(() => (stopped = true));
    let secondRan = false;
    runner({ slow: async () => ((secondRan = true), { by: 'second' }) });
    // The first handler still works: its lease is renewed well past two more lease lengths (1 s each), past the grace.
    const leaseEnd = async () =>
      ((await ds.query('select lease_expires_at from job where id = $1', [job.id])) as { lease_expires_at: Date | null }[])[0]!.lease_expires_at;
    const atStop = (await leaseEnd())!.getTime();
    await waitFor(async () => ((await leaseEnd())?.getTime() ?? 0) > atStop + 2_000, {
      timeoutMs: 10_000,
      what: 'the lease to be renewed while the handler works',
    });
    expect([secondRan, stopped]).toEqual([false, false]);
    finishWork();
    await stopping;
    expect(await finalJob('ws', job.id)).toMatchObject({ status: 'succeeded', result: { by: 'first' } });
    expect(secondRan).toBe(false);
  });
});
