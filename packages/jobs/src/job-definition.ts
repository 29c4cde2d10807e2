import { DomainError, type JobView } from '@custodian/contracts';
import type { EntityManager } from 'typeorm';

/**
 * A job that cannot succeed as asked ends failed with this code and message, shown to whoever
 * requested it. Any other error ends the job as JOB_FAILED, its cause only in the log.
 */
export class JobFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JobFailure';
  }
}

/** What a caller may see of a job's failure: the code and message of a JobFailure or DomainError, or null. */
export function publicFailure(err: unknown): { code: string; message: string } | null {
  if (err instanceof JobFailure || err instanceof DomainError) return { code: err.code, message: err.message };
  return null;
}

export interface ClaimedJob<P extends object = object> {
  id: string;
  workspaceId: string;
  kind: string;
  params: P;
  requestedBy: string;
  requestedAt: Date;
  attempt: number;
  correlationId: string | null;
}

export interface JobContext<R extends object = object> {
  /** Aborted when the job times out, its lease is lost, it is cancelled, or the runner stops. */
  signal: AbortSignal;
  /** Records progress (throttled writes). */
  progress(done: number, total?: number | null): Promise<void>;
  /**
   * Marks the job succeeded inside the handler's own transaction, so its effects and its final
   * status commit together (a crash in between re-runs nothing that was already done).
   */
  finishIn(em: EntityManager, result: R): Promise<void>;
}

/** A job that has just ended, as its kind's onFinished sees it. */
export interface FinishedJob<P extends object = object, R extends object = object> extends Omit<JobView, 'result'> {
  result: R | null;
  workspaceId: string;
  params: P;
  correlationId: string | null;
}

/**
 * One kind of job of an app: what runs it and what happens when it ends. Written as methods so a
 * definition of any params and result is a `JobDefinition` for the runner.
 */
export interface JobDefinition<P extends object = object, R extends object = object> {
  readonly kind: string;
  /** Time limit from the first start, in ms, unless the enqueue gives one. */
  readonly timeout?: number;
  /** Kinds of a higher priority are claimed first (default 0); within one priority, by request time. */
  readonly priority?: number;
  /** Attempts before a job whose process keeps dying ends failed (default 3), unless the enqueue says. */
  readonly maxAttempts?: number;
  run(job: ClaimedJob<P>, ctx: JobContext<R>): Promise<R>;
  /** Runs in the transaction that gives the job its final status, whatever it is (outbox events go here). */
  onFinished?(em: EntityManager, job: FinishedJob<P, R>): Promise<void>;
}

/** Declares a kind of job with the types of its params and result. */
export function defineJob<P extends object, R extends object = object>(definition: JobDefinition<P, R>): JobDefinition<P, R> {
  return definition;
}
