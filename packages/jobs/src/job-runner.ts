import { DomainError, ErrorCode } from '@custodian/contracts';
import { metrics } from '@custodian/observability';
import type { DataSource, EntityManager } from 'typeorm';
import { publicFailure, type ClaimedJob, type JobContext, type JobDefinition } from './job-definition.js';
import { finishedJob, type JobRow } from './job-store.js';

export interface JobRunnerOptions {
  instanceId: string;
  /** The app's kinds of job; the runner claims only these. */
  jobs: JobDefinition[];
  leaseMs?: number;
  heartbeatMs?: number;
  pollIntervalMs?: number;
  concurrency?: number;
  progressIntervalMs?: number;
  /** How long stop() waits for running handlers before it logs which ones it still waits for. */
  stopGraceMs?: number;
  logger?: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
}

class LeaseLost extends Error {}

/**
 * Runs the jobs of one app. Jobs are claimed with FOR UPDATE SKIP LOCKED and held by a lease that
 * heartbeats renew; a job whose process died is taken over once its lease lapses, or ends `failed`
 * (JOB_ABANDONED) when it has used its attempts. Time-outs are swept by every replica.
 */
export class JobRunner {
  private stopping = false;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private loop?: Promise<void>;
  private wake?: () => void;

  private readonly definitions: Map<string, JobDefinition>;
  private readonly kinds: string[];
  /** Kind to priority, for the claim's order. */
  private readonly priorities: Record<string, number>;

  constructor(
    private readonly ds: DataSource,
    private readonly options: JobRunnerOptions,
  ) {
    this.definitions = new Map(options.jobs.map((d) => [d.kind, d]));
    if (this.definitions.size !== options.jobs.length) throw new Error(`two job definitions share a kind: ${options.jobs.map((d) => d.kind).join(', ')}`);
    this.kinds = options.jobs.map((d) => d.kind);
    this.priorities = Object.fromEntries(options.jobs.map((d) => [d.kind, d.priority ?? 0]));
  }

  private get leaseMs() {
    return this.options.leaseMs ?? 30_000;
  }

  start(): void {
    this.stopping = false;
    this.loop = this.run();
  }

  /** Wakes the runner at once (e.g. right after enqueueing). */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    const held = [...this.running.entries()];
    for (const [, r] of held) r.controller.abort(new Error('the job runner is stopping'));
    // Every handler ends before its job is let go: until then its heartbeat keeps the lease, so no
    // other replica starts the job while this one still works on it. A handler that does not heed
    // the abort keeps the process from stopping; past the grace, that is logged.
    const late = setTimeout(
      () => this.options.logger?.warn({ jobIds: [...this.running.keys()] }, 'stopping: still waiting for job handlers to end'),
      this.options.stopGraceMs ?? 10_000,
    );
    await Promise.allSettled(held.map(([, r]) => r.done));
    clearTimeout(late);
    // The aborted jobs go back at once to whichever replica claims them next.
    await this.ds
      .query(`update job set lease_expires_at = now() where lease_owner = $1 and status = 'running' and id = any($2::uuid[])`, [
        this.options.instanceId,
        held.map(([id]) => id),
      ])
      .catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let claimed = false;
      // A sweep that fails (its clean-up could not finish) does not keep the runner from claiming work.
      await this.sweep().catch((err: Error) => this.options.logger?.warn({ err: err.message }, 'job sweep failed; retrying'));
      try {
        if (this.running.size < (this.options.concurrency ?? 2)) {
          const job = await this.claim();
          if (job) {
            claimed = true;
            this.execute(job);
          }
        }
      } catch (err) {
        this.options.logger?.warn({ err: (err as Error).message }, 'job runner loop failed; retrying');
      }
      if (claimed && this.running.size < (this.options.concurrency ?? 2)) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.options.pollIntervalMs ?? 1000);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Ends timed-out jobs and jobs abandoned by a dead process that used all their attempts. */
  async sweep(): Promise<void> {
    await this.ds.transaction(async (em) => {
      const ended = (await em.query(
        `update job set status = case when timeout_at < now() then 'discarded' else 'failed' end,
                error_code = case when timeout_at < now() then 'JOB_TIMED_OUT' else 'JOB_ABANDONED' end,
                error_message = case when timeout_at < now()
                  then 'the job ran longer than its time limit (' || (timeout_ms / 1000) || ' s) and was discarded'
                  else 'the process running the job stopped ' || attempts || ' time(s); giving up' end,
                finished_at = now(), lease_owner = null, lease_expires_at = null
         where id in (
           select id from job where kind = any($1) and status = 'running'
             and (timeout_at < now() or (lease_expires_at < now() and attempts >= max_attempts))
           for update skip locked)
         returning *`,
        [this.kinds],
      )) as [JobRow[], number];
      for (const row of ended[0]) {
        this.running.get(row.id)?.controller.abort(new Error(row.error_message ?? 'job ended'));
        await this.ended(em, row);
      }
    });
  }

  private async claim(): Promise<ClaimedJob | null> {
    const rows = (await this.ds.query(
      `update job set status = 'running', lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3),
              attempts = attempts + 1, started_at = coalesce(started_at, now()),
              timeout_at = coalesce(timeout_at, now() + make_interval(secs => timeout_ms / 1000.0))
       where id = (
         select id from job where kind = any($1)
           and (status = 'queued' or (status = 'running' and lease_expires_at < now() and attempts < max_attempts))
         order by coalesce(($4::jsonb ->> kind)::int, 0) desc, requested_at limit 1 for update skip locked)
       returning *`,
      [this.kinds, this.options.instanceId, this.leaseMs / 1000, this.priorities],
    )) as [JobRow[], number];
    const row = rows[0][0];
    if (!row) return null;
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      kind: row.kind,
      params: row.params,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at,
      attempt: row.attempts,
      correlationId: row.correlation_id,
    };
  }

  private execute(job: ClaimedJob): void {
    const controller = new AbortController();
    const owner = this.options.instanceId;
    let finished = false;
    let lastProgress = 0;
    const heartbeat = setInterval(
      () => {
        this.ds
          .query(`update job set lease_expires_at = now() + make_interval(secs => $3) where id = $1 and lease_owner = $2 and status = 'running'`, [
            job.id,
            owner,
            this.leaseMs / 1000,
          ])
          .then((r: [unknown[], number]) => {
            if (r[1] === 0 && !finished) controller.abort(new LeaseLost(`job ${job.id} is no longer held by this process`));
          })
          .catch(() => undefined);
      },
      this.options.heartbeatMs ?? Math.max(50, Math.floor(this.leaseMs / 3)),
    );

    const ctx: JobContext<object> = {
      signal: controller.signal,
      progress: async (done, total) => {
        const now = Date.now();
        if (now - lastProgress < (this.options.progressIntervalMs ?? 500) && total === undefined) return;
        lastProgress = now;
        await this.ds.query('update job set progress_done = $3, progress_total = coalesce($4, progress_total) where id = $1 and lease_owner = $2', [
          job.id,
          owner,
          done,
          total ?? null,
        ]);
      },
      finishIn: async (em, result) => {
        await this.finish(em, job.id, 'succeeded', { result });
        finished = true;
      },
    };

    const done = (async () => {
      try {
        const result = await this.definitions.get(job.kind)!.run(job, ctx);
        if (!finished) await this.ds.transaction((em) => this.finish(em, job.id, 'succeeded', { result: result ?? {} }));
      } catch (err) {
        if (finished || err instanceof LeaseLost) return;
        if (controller.signal.aborted && (this.stopping || controller.signal.reason instanceof LeaseLost)) {
          // Not a failure of the job: another replica takes it over.
          return;
        }
        if (controller.signal.aborted) return; // ended by the sweep (timed out): already final
        // Only a JobFailure or DomainError is the caller's to read; anything else (a driver's words, a bug) stays in the log.
        const shown = publicFailure(err);
        if (shown) this.options.logger?.warn({ jobId: job.id, kind: job.kind, code: shown.code, err: shown.message }, 'job failed');
        else this.options.logger?.error({ jobId: job.id, kind: job.kind, err }, 'job failed on an unexpected error');
        const outcome = shown ?? {
          code: 'JOB_FAILED',
          message: `the ${job.kind} job failed on an unexpected error; the service's log has the cause (job ${job.id})`,
        };
        await this.ds
          .transaction((em) => this.finish(em, job.id, 'failed', outcome))
          .catch((finishErr) => this.options.logger?.error({ err: (finishErr as Error).message }, 'could not record the failure of a job'));
      } finally {
        finished = true;
        clearInterval(heartbeat);
        this.running.delete(job.id);
        this.wake?.();
      }
    })();
    this.running.set(job.id, { controller, done });
  }

  private async finish(
    em: EntityManager,
    id: string,
    status: 'succeeded' | 'failed',
    outcome: { result?: object; code?: string; message?: string },
  ): Promise<void> {
    const rows = (await em.query(
      `update job set status = $3, result = $4, error_code = $5, error_message = $6, finished_at = now(),
              progress_done = case when $3 = 'succeeded' then coalesce(progress_total, progress_done) else progress_done end,
              lease_owner = null, lease_expires_at = null
       where id = $1 and lease_owner = $2 and status = 'running' returning *`,
      [id, this.options.instanceId, status, outcome.result ?? null, outcome.code ?? null, outcome.message ?? null],
    )) as [JobRow[], number];
    const row = rows[0][0];
    // The lease was lost (timed out, cancelled or taken over): the other outcome stands.
    if (!row) throw new LeaseLost(`job ${id} is no longer held by this process`);
    await this.ended(em, row);
  }

  /**
   * Cancels a job of this app's kinds in the caller's transaction: a queued one, or with
   * `running: true` a running one too (whichever replica runs it loses its lease and stops). The
   * kind's onFinished runs as for any other end.
   */
  async cancel(em: EntityManager, workspaceId: string, id: string, how: { running?: boolean; code?: string; message?: string } = {}): Promise<JobRow> {
    const states = how.running ? ['queued', 'running'] : ['queued'];
    const rows = (await em.query(
      `update job set status = 'cancelled', finished_at = now(), lease_owner = null, lease_expires_at = null, error_code = $4, error_message = $5
       where workspace_id = $1 and id = $2 and kind = any($6) and status = any($3) returning *`,
      [workspaceId, id, states, how.code ?? null, how.message ?? null, this.kinds],
    )) as [JobRow[], number];
    const row = rows[0][0];
    if (!row) {
      const [current] = (await em.query('select status from job where workspace_id = $1 and id = $2 and kind = any($3)', [workspaceId, id, this.kinds])) as {
        status: string;
      }[];
      if (!current) throw new DomainError(ErrorCode.NotFound, `job ${id} not found`);
      throw new DomainError(ErrorCode.JobAlreadyRunning, `job ${id} is ${current.status}; only ${states.join(' or ')} jobs can be cancelled`);
    }
    // The replica running it sees its lease gone at its next heartbeat, after this commits, and stops.
    await this.ended(em, row);
    return row;
  }

  /** The end of a job, in the transaction that gives it its final status. */
  private async ended(em: EntityManager, row: JobRow): Promise<void> {
    metrics.jobsFinished.inc({ kind: row.kind, status: row.status });
    await this.definitions.get(row.kind)?.onFinished?.(em, finishedJob(row));
  }
}
