import {
  DomainError,
  ErrorCode,
  systemContext,
  type CommandContext,
  type JobView,
  restoreOutcomesKey,
  type RestoreBatchReply,
  archiveRestoreStartedV1,
  archiveRestoreCompletedV1,
  archiveRestoreFailedV1,
  restoreContactsV2,
} from '@custodian/contracts';
import { defineJob, JobStore, type ClaimedJob, type FinishedJob, type JobContext, type JobDefinition } from '@custodian/jobs';
import { CommandClient, recordEvent } from '@custodian/messaging';
import { copyIn, inTransaction, sqlLiteral, withRunner } from '@custodian/persistence';
import { copyToObject, objectKey, ObjectStorage } from '@custodian/storage';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ArchiveEnv } from '../config.js';

export interface ArchiveRestoreParams {
  context: CommandContext;
  automatic: boolean;
  contacts: number;
}

export interface ArchiveRestoreResult {
  restored: number;
  conflicts: number;
  skipped: number;
  outcomesKey: string;
}

/** The contacts of a restore: a query yielding `contact_id, email`, and how many it yields. */
interface RestoreItems {
  sql: string;
  params?: unknown[];
  count: number;
}

export function listed(contacts: { contact_id: string; email: string }[]): RestoreItems {
  return {
    sql: 'select unnest($1::uuid[]) as contact_id, unnest($2::text[]) as email',
    params: [contacts.map((c) => c.contact_id), contacts.map((c) => c.email)],
    count: contacts.length,
  };
}

/** Queues a restore job with its contacts, in the caller's transaction; one at a time per workspace. */
export async function startRestoreJob(
  em: EntityManager,
  jobs: JobStore,
  definition: JobDefinition<ArchiveRestoreParams, ArchiveRestoreResult>,
  context: CommandContext,
  items: RestoreItems,
  automatic: boolean,
  idempotencyKey?: string,
): Promise<JobView> {
  const params: ArchiveRestoreParams = { context: { ...context, origin: 'restore' }, automatic, contacts: items.count };
  const { job, existing } = await jobs.enqueue(em, definition, {
    workspaceId: context.workspaceId,
    requestedBy: context.actor.id,
    correlationId: context.correlationId,
    params,
    idempotencyKey,
    ignoreForIdempotency: ['context'],
    // One restore at a time per workspace, enforced by the database.
    concurrencyKey: 'restore',
  });
  if (existing) return job;
  const given = items.params ?? [];
  await em.query(`insert into restore_item (job_id, contact_id, email) select $${given.length + 1}::uuid, s.contact_id, s.email from (${items.sql}) s`, [
    ...given,
    job.id,
  ]);
  await recordEvent(em, archiveRestoreStartedV1, params.context, { jobId: job.id, contacts: items.count, automatic });
  return job;
}

/** Re-creates the contacts in batches through contacts' restore command, recording each outcome. */
@Injectable()
export class RestoreJob {
  readonly definition = defineJob<ArchiveRestoreParams, ArchiveRestoreResult>({
    kind: 'restore',
    timeout: this.env.ARCHIVE_RESTORE_TIMEOUT,
    maxAttempts: 5,
    run: (job, ctx) => this.run(job, ctx),
    onFinished: (em, job) => this.onFinished(em, job),
  });

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    private readonly contacts: CommandClient,
    private readonly jobs: JobStore,
    @Inject(ArchiveEnv) private readonly env: ArchiveEnv,
  ) {}

  /**
   * A pipeline of batches: up to ARCHIVE_RESTORE_PARALLEL batches are with contacts at once (each
   * its own transaction there) while this side stages the next and records the outcomes of the
   * oldest, in order. Batches are staged in contact id order; after a crash the job starts again
   * from what has no outcome yet, and what contacts restored meanwhile is reported as such.
   */
  private async run(job: ClaimedJob<ArchiveRestoreParams>, ctx: JobContext<ArchiveRestoreResult>): Promise<ArchiveRestoreResult> {
    const p = job.params;
    const staged: string[] = [];
    const inFlight: Promise<Settled<{ snapshotsKey: string; reply: RestoreBatchReply }>>[] = [];
    let done = (await this.counts(job.id)).done;
    let after: string | null = null;
    let staging = true;
    try {
      for (;;) {
        while (staging && inFlight.length < this.env.ARCHIVE_RESTORE_PARALLEL) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          const batch = await this.stage(job, staged.length + 1, after, staged);
          if (!batch) {
            staging = false;
            break;
          }
          after = batch.upTo;
          inFlight.push(
            settle(this.contacts.request(restoreContactsV2, p.context, { snapshotsKey: batch.key }).then((reply) => ({ snapshotsKey: batch.key, reply }))),
          );
        }
        const oldest = await inFlight.shift();
        if (!oldest) break;
        if (!oldest.ok) throw oldest.error;
        await this.applyOutcomes(job.id, oldest.value.reply.outcomesKey);
        await this.storage.removeMany('archive', [oldest.value.snapshotsKey, oldest.value.reply.outcomesKey]);
        done += oldest.value.reply.contacts;
        await ctx.progress(done, p.contacts);
      }
    } catch (err) {
      // Nothing is left running behind the failure. Batches contacts finished meanwhile are live again there, so their
      // outcomes are recorded (if that fails too, a later restore finds them already restored); what was staged goes.
      for (const pending of inFlight) {
        const settled = await pending;
        if (settled.ok) await this.applyOutcomes(job.id, settled.value.reply.outcomesKey).catch(() => undefined);
      }
      await this.storage
        .removeMany(
          'archive',
          staged.flatMap((key) => [key, restoreOutcomesKey(key)]),
        )
        .catch(() => undefined);
      throw err;
    }
    const counts = await this.counts(job.id);
    const outcomesKey = await this.writeOutcomes(job.id, p.context.workspaceId);
    return { restored: counts.restored, conflicts: counts.conflicts, skipped: counts.skipped, outcomesKey };
  }

  /** Writes the snapshots of the next batch (contacts after `after` without an outcome) to object storage. */
  private async stage(
    job: ClaimedJob<ArchiveRestoreParams>,
    batch: number,
    after: string | null,
    staged: string[],
  ): Promise<{ key: string; upTo: string } | null> {
    const p = job.params;
    const [last] = (await this.ds.query(
      `select contact_id from (select contact_id from restore_item
        where job_id = $1 and outcome is null and ($2::uuid is null or contact_id > $2) order by contact_id limit $3) b
      order by contact_id desc limit 1`,
      [job.id, after, this.env.ARCHIVE_RESTORE_BATCH],
    )) as { contact_id: string }[];
    if (!last) return null;
    const key = objectKey(p.context.workspaceId, 'archive', `restore-${job.id}-${job.attempt}-${batch}`, 'jsonl');
    staged.push(key);
    await withRunner(this.ds, (runner) =>
      copyToObject(
        runner,
        `copy (select a.snapshot from restore_item i join archived_contact a using (contact_id)
        where i.job_id = ${sqlLiteral(job.id)} and i.outcome is null ${after ? `and i.contact_id > ${sqlLiteral(after)}` : ''}
          and i.contact_id <= ${sqlLiteral(last.contact_id)} order by i.contact_id) to stdout`,
        this.storage,
        'archive',
        key,
      ),
    );
    return { key, upTo: last.contact_id };
  }

  /** Every contact of a batch gets its outcome, in one transaction with the archive's own records. */
  private async applyOutcomes(jobId: string, outcomesKey: string): Promise<void> {
    const source = await this.storage.download('archive', outcomesKey);
    await inTransaction(this.ds, async (runner) => {
      const em = runner.manager;
      await em.query('create temp table batch_outcome (contact_id uuid, code text, message text, skipped text) on commit drop');
      await copyIn(runner, 'copy batch_outcome from stdin with (format csv, header true)', source);
      // Restored before a crash, its outcome not yet written: restored, once.
      await em.query(
        `update restore_item i set
          outcome = case when o.code is null or o.code = $2 then 'restored' when o.code = $3 then 'conflict' when o.code = $4 then 'skipped' end,
          detail = case when o.code is null then nullif(o.skipped, '') when o.code = $2 then 'already restored' else o.message end
        from batch_outcome o where i.job_id = $1 and i.contact_id = o.contact_id`,
        [jobId, ErrorCode.ContactExists, ErrorCode.EmailInUse, ErrorCode.ContactMerged],
      );
      const [unknown] = (await em.query(`select code, message from batch_outcome where code is not null and code <> all($1::text[]) limit 1`, [
        [ErrorCode.ContactExists, ErrorCode.EmailInUse, ErrorCode.ContactMerged],
      ])) as { code: string; message: string }[];
      if (unknown) throw new DomainError(unknown.code as ErrorCode, unknown.message);
      await em.query(
        `update archived_contact a set restored_at = now(), restore_job_id = $1
        from batch_outcome o where a.contact_id = o.contact_id and (o.code is null or o.code = $2) and a.restored_at is null`,
        [jobId, ErrorCode.ContactExists],
      );
    }).finally(() => source.destroy());
  }

  private async counts(jobId: string) {
    const [c] = (await this.ds.query(
      `select count(*) filter (where outcome is not null)::int as done,
        count(*) filter (where outcome = 'restored')::int as restored, count(*) filter (where outcome = 'conflict')::int as conflicts,
        count(*) filter (where outcome = 'skipped')::int as skipped from restore_item where job_id = $1`,
      [jobId],
    )) as [{ done: number; restored: number; conflicts: number; skipped: number }];
    return c;
  }

  private async writeOutcomes(jobId: string, workspaceId: string): Promise<string> {
    const key = objectKey(workspaceId, 'archive', `restore-${jobId}`, 'csv');
    await withRunner(this.ds, (runner) =>
      copyToObject(
        runner,
        `copy (select contact_id as "contactId", email, outcome, detail
      from restore_item where job_id = ${sqlLiteral(jobId)} order by email) to stdout with (format csv, header true)`,
        this.storage,
        'archive',
        key,
      ),
    );
    return key;
  }

  private async onFinished(em: EntityManager, job: FinishedJob<ArchiveRestoreParams, ArchiveRestoreResult>): Promise<void> {
    const p = job.params;
    if (job.status === 'succeeded' && job.result) {
      const r = job.result;
      await recordEvent(em, archiveRestoreCompletedV1, p.context, { jobId: job.id, restored: r.restored, conflicts: r.conflicts, skipped: r.skipped });
    } else {
      const [{ n }] = (await em.query(`select count(*)::int as n from restore_item where job_id = $1 and outcome = 'restored'`, [job.id])) as [{ n: number }];
      await recordEvent(em, archiveRestoreFailedV1, p.context, {
        jobId: job.id,
        code: job.error?.code ?? job.status,
        message: job.error?.message ?? job.status,
        restored: n,
      });
    }
    // Automatic restores that waited for this one start now, in the transaction that ends it.
    const waiting = (await em.query(
      `with w as (delete from waiting_restore where workspace_id = $1 returning contact_id)
      select a.contact_id, a.email from archived_contact a join w using (contact_id)
      where a.restored_at is null and not exists (select 1 from merged_contact m where m.contact_id = a.contact_id)
      order by a.contact_id`,
      [p.context.workspaceId],
    )) as { contact_id: string; email: string }[];
    if (waiting.length) {
      await startRestoreJob(
        em,
        this.jobs,
        this.definition,
        { ...systemContext(p.context.workspaceId, p.context.correlationId), origin: 'restore' },
        listed(waiting),
        true,
      );
    }
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects, so a failure waiting its turn in the pipeline is not unhandled. */
function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  return work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
