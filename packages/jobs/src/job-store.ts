import { DomainError, ErrorCode, type JobStatus, type JobView } from '@custodian/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import type { FinishedJob, JobDefinition } from './job-definition.js';

export interface JobRow {
  id: string;
  workspace_id: string;
  kind: string;
  status: JobStatus;
  params: object;
  progress_done: string;
  progress_total: string | null;
  requested_by: string;
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  expires_at: Date | null;
  attempts: number;
  max_attempts: number;
  result: object | null;
  error_code: string | null;
  error_message: string | null;
  concurrency_key: string | null;
  idempotency_key: string | null;
  correlation_id: string | null;
  lease_owner: string | null;
  timeout_at: Date | null;
}

export function toJobView(row: JobRow): JobView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    progress: { done: Number(row.progress_done), total: row.progress_total === null ? null : Number(row.progress_total) },
    requestedBy: row.requested_by,
    requestedAt: row.requested_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    expiresAt: iso(row.expires_at),
    result: row.result as Record<string, unknown> | null,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
  };
}

export function finishedJob<P extends object, R extends object>(row: JobRow): FinishedJob<P, R> {
  return { ...toJobView(row), result: row.result as R | null, workspaceId: row.workspace_id, params: row.params as P, correlationId: row.correlation_id };
}

export interface EnqueueInput<P extends object = object> {
  workspaceId: string;
  params: P;
  requestedBy: string;
  /** At most one queued-or-running job per workspace and key (e.g. `export`, `restore`). */
  concurrencyKey?: string;
  /** The same key for the same kind answers with the existing job. */
  idempotencyKey?: string;
  /** Params that may differ between two sends of the same request (who sent it, trace ids, ...). */
  ignoreForIdempotency?: (keyof P & string)[];
  maxAttempts?: number;
  /** A job running longer than this (from its first start) is discarded; default: its definition's timeout. */
  timeoutMs?: number;
  expiresAt?: Date;
  correlationId?: string;
}

/** Whether two params objects are the same request, ignoring the given top-level keys. */
export function sameParams(a: object, b: object, ignore: string[] = []): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
      );
    }
    return value;
  };
  const strip = (p: object) => Object.fromEntries(Object.entries(p).filter(([k, v]) => !ignore.includes(k) && v !== undefined));
  return JSON.stringify(canonical(strip(a))) === JSON.stringify(canonical(strip(b)));
}

/** A row of a job of a known kind, its params and result typed by the definition. */
export interface TypedJobRow<P extends object, R extends object> extends JobRow {
  params: P;
  result: R | null;
}

/**
 * Job rows of one app's schema: the one place that reads and writes the `job` table (with the
 * runner). Every read of a caller's job is scoped to a workspace.
 */
export class JobStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Adds a job in the caller's transaction, so it commits (or not) with the change that asked for it.
   * A second active job with the same concurrency key is refused (JOB_ALREADY_RUNNING, with the
   * running job's id); a repeated idempotency key returns the first job.
   */
  async enqueue<P extends object, R extends object>(
    em: EntityManager,
    definition: JobDefinition<P, R>,
    input: EnqueueInput<NoInfer<P>>,
  ): Promise<{ job: JobView; existing: boolean }> {
    const kind = definition.kind;
    const rows = (await em.query(
      `insert into job (workspace_id, kind, params, requested_by, concurrency_key, idempotency_key, max_attempts, timeout_ms, expires_at, correlation_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       on conflict do nothing returning *`,
      [
        input.workspaceId,
        kind,
        input.params,
        input.requestedBy,
        input.concurrencyKey ?? null,
        input.idempotencyKey ?? null,
        input.maxAttempts ?? definition.maxAttempts ?? 3,
        input.timeoutMs ?? definition.timeout ?? null,
        input.expiresAt ?? null,
        input.correlationId ?? null,
      ],
    )) as JobRow[];
    if (rows[0]) return { job: toJobView(rows[0]), existing: false };

    if (input.idempotencyKey) {
      const same = await this.byIdempotencyKey(em, definition, input.workspaceId, input.idempotencyKey);
      if (same) {
        if (!sameParams(same.params, input.params, input.ignoreForIdempotency)) {
          throw new DomainError(ErrorCode.IdempotencyKeyReused, `Idempotency-Key "${input.idempotencyKey}" was used for a different request (job ${same.id})`);
        }
        return { job: toJobView(same), existing: true };
      }
    }
    const [active] = (await em.query(`select id, kind from job where workspace_id = $1 and concurrency_key = $2 and status in ('queued', 'running')`, [
      input.workspaceId,
      input.concurrencyKey ?? null,
    ])) as { id: string; kind: string }[];
    if (active) throw alreadyRunning(active);
    // The conflicting row finished between the insert and the look-up: try once more.
    return this.enqueue(em, definition, input);
  }

  /**
   * Refuses early, before a costly validation, while a job holds the concurrency key, unless it is
   * the job of the same idempotency key. Requests for one key then queue behind each other: a lock
   * per workspace and key is held until the caller's transaction ends, so the second sees the job
   * the first queued (enqueue still enforces the rule on its own).
   */
  async refuseWhileActive(em: EntityManager, workspaceId: string, concurrencyKey: string, idempotencyKey?: string): Promise<void> {
    await em.query('select pg_advisory_xact_lock(hashtext($1), hashtext($2))', [concurrencyKey, workspaceId]);
    const [active] = (await em.query(
      `select id, kind, idempotency_key from job where workspace_id = $1 and concurrency_key = $2 and status in ('queued', 'running')`,
      [workspaceId, concurrencyKey],
    )) as { id: string; kind: string; idempotency_key: string | null }[];
    if (active && !(idempotencyKey && active.idempotency_key === idempotencyKey)) throw alreadyRunning(active);
  }

  /** The job of a kind that a workspace queued under an idempotency key, if any. */
  async byIdempotencyKey<P extends object, R extends object>(
    em: EntityManager,
    definition: JobDefinition<P, R>,
    workspaceId: string,
    key: string,
  ): Promise<TypedJobRow<P, R> | null> {
    return firstRow<TypedJobRow<P, R>>(em, 'select * from job where workspace_id = $1 and kind = $2 and idempotency_key = $3', [
      workspaceId,
      definition.kind,
      key,
    ]);
  }

  /** A job of a kind by id, typed by its definition; null when the workspace has no such job. */
  async find<P extends object, R extends object>(
    em: EntityManager,
    definition: JobDefinition<P, R>,
    workspaceId: string,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<TypedJobRow<P, R> | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return firstRow<TypedJobRow<P, R>>(em, `select * from job where workspace_id = $1 and id = $2 and kind = $3${options.lock ? ' for update' : ''}`, [
      workspaceId,
      id,
      definition.kind,
    ]);
  }

  /** A page of a workspace's jobs of a kind, newest first, after the (requested_at, id) of a cursor. */
  async page<P extends object, R extends object>(
    em: EntityManager,
    definition: JobDefinition<P, R>,
    workspaceId: string,
    limit: number,
    after?: [string, string],
  ): Promise<(TypedJobRow<P, R> & { cursor_at: string })[]> {
    return (await em.query(
      `select *, to_char(requested_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at from job
      where workspace_id = $1 and kind = $2 ${after ? 'and (requested_at, id) < ($4::timestamptz, $5::uuid)' : ''}
      order by requested_at desc, id desc limit $3`,
      [workspaceId, definition.kind, limit, ...(after ?? [])],
    )) as (TypedJobRow<P, R> & { cursor_at: string })[];
  }

  /** The job (of any workspace) whose id, or one of whose params, is `value`: for reports that name a job by a request id. */
  async byIdOrParam<P extends object, R extends object>(
    em: EntityManager,
    definition: JobDefinition<P, R>,
    workspaceId: string,
    param: keyof P & string,
    value: string,
  ): Promise<TypedJobRow<P, R> | null> {
    return firstRow<TypedJobRow<P, R>>(em, `select * from job where workspace_id = $1 and kind = $2 and (id::text = $4 or params->>$3 = $4)`, [
      workspaceId,
      definition.kind,
      param,
      value,
    ]);
  }

  /** The status of a job, or null when it is gone. */
  async status(id: string, em: EntityManager = this.ds.manager): Promise<JobStatus | null> {
    const [row] = (await em.query('select status from job where id = $1', [id])) as { status: JobStatus }[];
    return row?.status ?? null;
  }

  /** The job holding a workspace's concurrency key, locked until the caller's transaction ends, or null. */
  async activeFor(em: EntityManager, workspaceId: string, concurrencyKey: string): Promise<{ id: string; kind: string } | null> {
    const [active] = (await em.query(
      `select id, kind from job where workspace_id = $1 and concurrency_key = $2 and status in ('queued', 'running') for update`,
      [workspaceId, concurrencyKey],
    )) as { id: string; kind: string }[];
    return active ?? null;
  }

  /**
   * SQL that is true while a queued or running job holds the concurrency key, for a query of the
   * app's own tables (`workspace` and `key` are SQL expressions of that query).
   */
  static activeJobSql(workspace: string, key: string): string {
    return `exists (select 1 from job j where j.workspace_id = ${workspace} and j.concurrency_key = ${key} and j.status in ('queued', 'running'))`;
  }

  /**
   * How long, in whole seconds, until `cooldownMs` has passed since the latest job of a kind that
   * ended with `status` was requested; null when none is that recent.
   */
  async coolingDown<P extends object, R extends object>(
    em: EntityManager,
    definition: JobDefinition<P, R>,
    workspaceId: string,
    status: JobStatus,
    cooldownMs: number,
  ): Promise<number | null> {
    const [cooling] = (await em.query(
      `select ceil(extract(epoch from requested_at + make_interval(secs => $4) - now()))::int as wait
      from job where workspace_id = $1 and kind = $2 and status = $3 and requested_at + make_interval(secs => $4) > now()
      order by requested_at desc limit 1`,
      [workspaceId, definition.kind, status, cooldownMs / 1000],
    )) as { wait: number }[];
    return cooling?.wait ?? null;
  }

  /**
   * Succeeded jobs of a kind (of every workspace) past their expiry, up to `limit`, locked (SKIP
   * LOCKED, so replicas share the work) until the caller's transaction ends; `expire` marks them.
   */
  async dueToExpire<P extends object, R extends object>(em: EntityManager, definition: JobDefinition<P, R>, limit: number): Promise<TypedJobRow<P, R>[]> {
    return (await em.query(
      `select * from job where kind = $1 and status = 'succeeded' and expires_at <= now()
      order by expires_at limit $2 for update skip locked`,
      [definition.kind, limit],
    )) as TypedJobRow<P, R>[];
  }

  async expire(em: EntityManager, ids: string[]): Promise<void> {
    await em.query(`update job set status = 'expired' where id = any($1::uuid[]) and status = 'succeeded'`, [ids]);
  }

  async get(workspaceId: string, id: string, em: EntityManager = this.ds.manager): Promise<JobView | null> {
    const row = await this.row(workspaceId, id, em);
    return row ? toJobView(row) : null;
  }

  async row(workspaceId: string, id: string, em: EntityManager = this.ds.manager): Promise<JobRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return firstRow<JobRow>(em, 'select * from job where workspace_id = $1 and id = $2', [workspaceId, id]);
  }
}

/** The first row a query answers, or null. */
async function firstRow<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T | null> {
  const [row] = (await em.query(sql, params)) as T[];
  return row ?? null;
}

function alreadyRunning(active: { id: string; kind: string }): DomainError {
  return new DomainError(ErrorCode.JobAlreadyRunning, `another ${active.kind} job (${active.id}) is still queued or running in this workspace; one at a time`, {
    errors: [{ path: 'job', message: active.id }],
  });
}
