import { DomainError, ErrorCode, type JobStatus, type JobView } from '@custodian/contracts';
import type { DataSource, EntityManager } from 'typeorm';

export interface JobRow {
  id: string; workspace_id: string; kind: string; status: JobStatus; params: Record<string, unknown>;
  progress_done: string; progress_total: string | null; requested_by: string; requested_at: Date;
  started_at: Date | null; finished_at: Date | null; expires_at: Date | null; attempts: number; max_attempts: number;
  result: Record<string, unknown> | null; error_code: string | null; error_message: string | null;
  concurrency_key: string | null; idempotency_key: string | null; correlation_id: string | null;
  lease_owner: string | null; timeout_at: Date | null;
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
    result: row.result,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
  };
}

export interface EnqueueInput {
  workspaceId: string;
  kind: string;
  params: Record<string, unknown>;
  requestedBy: string;
  /** At most one queued-or-running job per workspace and key (e.g. `export`, `restore`). */
  concurrencyKey?: string;
  /** The same key for the same kind answers with the existing job. */
  idempotencyKey?: string;
  /** Params that may differ between two sends of the same request (who sent it, trace ids, ...). */
  ignoreForIdempotency?: string[];
  maxAttempts?: number;
  /** A job running longer than this (from its first start) is discarded. */
  timeoutMs?: number;
  expiresAt?: Date;
  correlationId?: string;
}

/** Whether two params objects are the same request, ignoring the given top-level keys. */
export function sameParams(a: Record<string, unknown>, b: Record<string, unknown>, ignore: string[] = []): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
    }
    return value;
  };
  const strip = (p: Record<string, unknown>) => Object.fromEntries(Object.entries(p).filter(([k, v]) => !ignore.includes(k) && v !== undefined));
  return JSON.stringify(canonical(strip(a))) === JSON.stringify(canonical(strip(b)));
}

/** Job rows of one app's schema. Every read is scoped to a workspace. */
export class JobStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Adds a job in the caller's transaction, so it commits (or not) with the change that asked for it.
   * A second active job with the same concurrency key is refused (JOB_ALREADY_RUNNING, with the
   * running job's id); a repeated idempotency key returns the first job.
   */
  async enqueue(em: EntityManager, input: EnqueueInput): Promise<{ job: JobView; existing: boolean }> {
    const rows = (await em.query(
      `insert into job (workspace_id, kind, params, requested_by, concurrency_key, idempotency_key, max_attempts, timeout_ms, expires_at, correlation_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       on conflict do nothing returning *`,
      [input.workspaceId, input.kind, input.params, input.requestedBy, input.concurrencyKey ?? null, input.idempotencyKey ?? null,
        input.maxAttempts ?? 3, input.timeoutMs ?? null, input.expiresAt ?? null, input.correlationId ?? null],
    )) as JobRow[];
    if (rows[0]) return { job: toJobView(rows[0]), existing: false };

    if (input.idempotencyKey) {
      const same = await this.byIdempotencyKey(em, input.workspaceId, input.kind, input.idempotencyKey);
      if (same) {
        if (!sameParams(same.params, input.params, input.ignoreForIdempotency)) {
          throw new DomainError(ErrorCode.IdempotencyKeyReused, `Idempotency-Key "${input.idempotencyKey}" was used for a different request (job ${same.id})`);
        }
        return { job: toJobView(same), existing: true };
      }
    }
    const [active] = (await em.query(
      `select id, kind from job where workspace_id = $1 and concurrency_key = $2 and status in ('queued', 'running')`,
      [input.workspaceId, input.concurrencyKey ?? null],
    )) as { id: string; kind: string }[];
    if (active) throw alreadyRunning(active);
    // The conflicting row finished between the insert and the look-up: try once more.
    return this.enqueue(em, input);
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

  /** The job a workspace queued under an idempotency key, if any. */
  async byIdempotencyKey(em: EntityManager, workspaceId: string, kind: string, key: string): Promise<JobRow | null> {
    const [row] = (await em.query('select * from job where workspace_id = $1 and kind = $2 and idempotency_key = $3', [workspaceId, kind, key])) as JobRow[];
    return row ?? null;
  }

  async get(workspaceId: string, id: string, em: EntityManager = this.ds.manager): Promise<JobView | null> {
    const row = await this.row(workspaceId, id, em);
    return row ? toJobView(row) : null;
  }

  async row(workspaceId: string, id: string, em: EntityManager = this.ds.manager): Promise<JobRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const [row] = (await em.query('select * from job where workspace_id = $1 and id = $2', [workspaceId, id])) as JobRow[];
    return row ?? null;
  }

  /** Cancels a job that has not started yet. */
  async cancel(workspaceId: string, id: string): Promise<JobView> {
    const rows = (await this.ds.query(
      `update job set status = 'cancelled', finished_at = now() where workspace_id = $1 and id = $2 and status = 'queued' returning *`,
      [workspaceId, id],
    )) as [JobRow[], number];
    if (rows[0][0]) return toJobView(rows[0][0]);
    const current = await this.get(workspaceId, id);
    if (!current) throw new DomainError(ErrorCode.NotFound, `job ${id} not found`);
    throw new DomainError(ErrorCode.JobAlreadyRunning, `job ${id} is ${current.status}; only queued jobs can be cancelled`);
  }
}

function alreadyRunning(active: { id: string; kind: string }): DomainError {
  return new DomainError(ErrorCode.JobAlreadyRunning, `another ${active.kind} job (${active.id}) is still queued or running in this workspace; one at a time`, {
    errors: [{ path: 'job', message: active.id }],
  });
}
