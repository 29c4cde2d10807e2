import {
  archiveRestoreCompletedV1, archiveRestoreFailedV1, archiveRestoreStartedV1, contextOf, DomainError, emailsInUseV1, ErrorCode, formSubmittedV1, restoreContactsV2, restoreOutcomesV1, startRestoreV1, systemContext, type CommandContext, type ContactSnapshot, type FormSubmittedV1, type EventEnvelope, type JobView,
  emailsInUseKey, restoreOutcomesKey, workspaceStatsV1, type RestoreBatchReply, type RestorePreview, type StartRestoreV1,
} from '@custodian/contracts';
import { parseDuration } from '@custodian/config';
import { JobRunner, JobStore, type ClaimedJob, type FinishedJobDetails, type JobContext } from '@custodian/jobs';
import { CommandClient, CommandHandler, OnEvent, recordEvent } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { copyIn, inTransaction, sqlLiteral, withRunner } from '@custodian/persistence';
import { copyToObject, objectKey, ObjectStorage } from '@custodian/storage';
import { Controller, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { ArchiveEnv } from '../config.js';
import { notRestorableSql, windowOf, type Refusal } from '../store/rules.js';

export interface ArchiveRestoreParams { context: CommandContext; automatic: boolean; contacts: number }

@Injectable()
export class RestoreService {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly contacts: CommandClient,
    private readonly storage: ObjectStorage,
    @Inject(ArchiveEnv) private readonly env: ArchiveEnv,
  ) {}

  limitOf(plan: string | undefined): number {
    if (plan === 'free') return this.env.ARCHIVE_CONTACT_LIMIT_FREE;
    if (plan === 'pro') return this.env.ARCHIVE_CONTACT_LIMIT_PRO;
    return this.env.ARCHIVE_CONTACT_LIMIT_ENTERPRISE;
  }

  /**
   * Validates a restore and starts it, or answers its preview (dry run). The candidates stay in
   * the database (a temp table) and their emails go to contacts through object storage, so the
   * memory this takes does not grow with the number of contacts; the restore job is queued in the
   * same transaction that validated it.
   */
  async start(context: CommandContext, request: StartRestoreV1): Promise<JobView | RestorePreview> {
    if (!request.contactIds && !request.filter) {
      throw new DomainError(ErrorCode.ValidationFailed, 'give contactIds or a filter', { errors: [{ path: '', message: 'needs contactIds or filter' }] });
    }
    const result = await inTransaction(this.ds, async (runner) => {
      const em = runner.manager;
      if (!request.dryRun) await this.jobs.refuseWhileActive(em, context.workspaceId, 'restore', request.idempotencyKey);
      await this.selectCandidates(em, context.workspaceId, request);
      await this.markEmailsInUse(runner, context);
      const missing = request.contactIds
        ? ((await em.query('select id from unnest($1::uuid[]) as id where id not in (select contact_id from restore_candidate)', [request.contactIds])) as { id: string }[]).map((r) => r.id)
        : [];
      const [{ ok, refused }] = (await em.query(`select count(*) filter (where why is null)::int as ok, count(*) filter (where why is not null)::int as refused
        from restore_candidate`)) as [{ ok: number; refused: number }];
      const limit = this.limitOf(context.plan);
      const refusals = async (max: number | null): Promise<Refusal[]> => [
        ...missing.map((contactId) => ({ contactId, reason: 'not_found' as const })),
        ...((await em.query(`select contact_id as "contactId", why as reason from restore_candidate where why is not null
          order by archived_at, contact_id ${max === null ? '' : `limit ${max}`}`)) as Refusal[]),
      ];
      if (request.dryRun) return this.preview(em, context, await refusals(null), limit);
      if (missing.length + refused) {
        // The first 1,000 are listed, so the answer stays a small message.
        const n = missing.length + refused;
        throw new DomainError(ErrorCode.RestoreRefused, `${n} contact(s) cannot be restored${n > 1000 ? ' (the first 1,000 are listed)' : ''}`, {
          errors: (await refusals(1000)).slice(0, 1000).map((r) => ({ path: r.contactId, message: r.reason })),
        });
      }
      if (!ok) throw new DomainError(ErrorCode.NotFound, 'no archived contact matches');
      const stats = await this.contacts.request(workspaceStatsV1, context, {});
      const projected = stats.activeContacts + ok;
      if (projected > limit && !request.confirmOverage) {
        throw new DomainError(ErrorCode.ActiveContactLimit,
          `restoring ${ok} contact(s) takes the workspace to ${projected} active contacts, ${projected - limit} over its limit of ${limit}; send confirmOverage: true to go ahead`,
          { errors: [{ path: 'confirmOverage', message: `projected ${projected}, limit ${limit}, overage ${projected - limit}` }] });
      }
      return startRestoreJob(em, this.jobs, this.env, context,
        { sql: 'select contact_id, email from restore_candidate where why is null', count: ok }, false, request.idempotencyKey);
    });
    if (!request.dryRun) this.runner.poke();
    return result;
  }

  /** The archived contacts a request names, each with why it cannot be restored (or null), in `restore_candidate`. */
  private async selectCandidates(em: EntityManager, workspaceId: string, request: StartRestoreV1): Promise<void> {
    const { frozenSecs, restorableSecs } = windowOf(this.env);
    const params: unknown[] = [workspaceId, frozenSecs, restorableSecs];
    const where = ['a.workspace_id = $1', 'a.restored_at is null'];
    if (request.contactIds) { params.push(request.contactIds); where.push(`a.contact_id = any($${params.length}::uuid[])`); }
    const f = request.filter ?? {};
    if (f.email) { params.push(f.email); where.push(`lower(a.email) = lower($${params.length})`); }
    if (f.listId) { params.push(f.listId); where.push(`$${params.length} = any(a.list_ids)`); }
    if (f.tag) { params.push(f.tag.toLowerCase()); where.push(`$${params.length} = any(a.tag_names)`); }
    if (f.archivedFrom) { params.push(f.archivedFrom); where.push(`a.archived_at >= $${params.length}`); }
    if (f.archivedTo) { params.push(f.archivedTo); where.push(`a.archived_at < $${params.length}`); }
    await em.query(`create temp table restore_candidate on commit drop as
      select a.contact_id, a.email, a.archived_at, ${notRestorableSql('$2', '$3')} as why
      from archived_contact a where ${where.join(' and ')}`, params);
  }

  /** Refuses the candidates whose email a live contact now uses; the check runs in contacts. */
  private async markEmailsInUse(runner: QueryRunner, context: CommandContext): Promise<void> {
    const emailsKey = objectKey(context.workspaceId, 'archive', `restore-check-${randomUUID()}`, 'txt');
    try {
      const { rows } = await copyToObject(runner, 'copy (select distinct lower(email) from restore_candidate where why is null) to stdout',
        this.storage, 'archive', emailsKey);
      if (!rows) return;
      const reply = await this.contacts.request(emailsInUseV1, context, { emailsKey });
      if (!reply.inUse) return;
      await runner.query('create temp table email_in_use (email text primary key) on commit drop');
      await copyIn(runner, 'copy email_in_use (email) from stdin', await this.storage.download('archive', reply.inUseKey));
      await runner.query(`update restore_candidate set why = 'email_in_use' where why is null and lower(email) in (select email from email_in_use)`);
    } finally {
      await this.storage.removeMany('archive', [emailsKey, emailsInUseKey(emailsKey)]).catch(() => undefined);
    }
  }

  /** What a restore would bring back and drop, per contact, without doing it. */
  private async preview(em: EntityManager, context: CommandContext, refused: Refusal[], limit: number): Promise<RestorePreview> {
    const ok = (await em.query(`select c.contact_id, c.email, a.snapshot from restore_candidate c join archived_contact a using (contact_id)
      where c.why is null order by c.archived_at, c.contact_id`)) as { contact_id: string; email: string; snapshot: ContactSnapshot }[];
    const snapshots = ok.map((c) => c.snapshot);
    const stats = await this.contacts.request(workspaceStatsV1, context, {
      listIds: [...new Set(snapshots.flatMap((s) => s.memberships.map((m) => m.listId)))],
      tagIds: [...new Set(snapshots.flatMap((s) => s.tags.map((t) => t.tagId)))],
      accountIds: [...new Set(snapshots.flatMap((s) => s.accounts.map((a) => a.accountId)))],
      dealIds: [...new Set(snapshots.flatMap((s) => s.deals.map((d) => d.dealId)))],
    });
    const exists = { lists: new Set(stats.existing.lists), tags: new Set(stats.existing.tags), accounts: new Set(stats.existing.accounts), deals: new Set(stats.existing.deals) };
    return {
      dryRun: true, refused, activeContacts: stats.activeContacts, limit, projected: stats.activeContacts + ok.length,
      restorable: ok.map(({ contact_id, email, snapshot: s }) => ({
        contactId: contact_id, email,
        drops: [
          ...s.memberships.filter((m) => !exists.lists.has(m.listId)).map((m) => `list:${m.listName}`),
          ...s.tags.filter((t) => !exists.tags.has(t.tagId)).map((t) => `tag:${t.name}`),
          ...s.accounts.filter((a) => !exists.accounts.has(a.accountId)).map((a) => `account:${a.name}`),
          ...s.deals.filter((d) => d.deletedWithContact || !exists.deals.has(d.dealId)).map((d) => `deal:${d.name}`),
        ],
      })),
    };
  }

  /**
   * Restores at once, or, while another restore runs in the workspace, waits for it: the running
   * job's row is locked while the wait is written, so the job cannot end unseen in between, and
   * the job's end starts what waits (RestoreJob.onFinished). Safe to repeat for the same event.
   */
  async restoreAutomatically(context: CommandContext, contacts: { contact_id: string; email: string }[], eventId: string): Promise<JobView | 'waiting'> {
    const started = await this.ds.transaction(async (em) => {
      for (;;) {
        const [active] = (await em.query(`select id from job where workspace_id = $1 and concurrency_key = 'restore' and status in ('queued', 'running') for update`,
          [context.workspaceId])) as { id: string }[];
        if (active) {
          await em.query(`insert into waiting_restore (contact_id, workspace_id, event_id) select unnest($2::uuid[]), $1, $3 on conflict do nothing`,
            [context.workspaceId, contacts.map((c) => c.contact_id), eventId]);
          return 'waiting' as const;
        }
        try {
          return await startRestoreJob(em, this.jobs, this.env, context, listed(contacts), true, `form-${eventId}`);
        } catch (err) {
          // A restore started between the look-up and the insert: wait for it instead.
          if (!(err instanceof DomainError && err.code === ErrorCode.JobAlreadyRunning)) throw err;
        }
      }
    });
    if (started !== 'waiting') this.runner.poke();
    return started;
  }
}

/** The contacts of a restore: a query yielding `contact_id, email`, and how many it yields. */
interface RestoreItems { sql: string; params?: unknown[]; count: number }

function listed(contacts: { contact_id: string; email: string }[]): RestoreItems {
  return { sql: 'select unnest($1::uuid[]) as contact_id, unnest($2::text[]) as email', params: [contacts.map((c) => c.contact_id), contacts.map((c) => c.email)], count: contacts.length };
}

/** Queues a restore job with its contacts, in the caller's transaction; one at a time per workspace. */
async function startRestoreJob(em: EntityManager, jobs: JobStore, env: ArchiveEnv, context: CommandContext,
  items: RestoreItems, automatic: boolean, idempotencyKey?: string): Promise<JobView> {
  const params: ArchiveRestoreParams = { context: { ...context, origin: 'restore' }, automatic, contacts: items.count };
  const { job, existing } = await jobs.enqueue(em, {
    workspaceId: context.workspaceId, kind: 'restore', requestedBy: context.actor.id, correlationId: context.correlationId,
    params: params as unknown as Record<string, unknown>, idempotencyKey, ignoreForIdempotency: ['context'],
    // One restore at a time per workspace, enforced by the database.
    concurrencyKey: 'restore', timeoutMs: parseDuration(env.ARCHIVE_RESTORE_TIMEOUT), maxAttempts: 5,
  });
  if (existing) return job;
  const given = items.params ?? [];
  await em.query(`insert into restore_item (job_id, contact_id, email) select $${given.length + 1}::uuid, s.contact_id, s.email from (${items.sql}) s`,
    [...given, job.id]);
  await recordEvent(em, archiveRestoreStartedV1, params.context, { jobId: job.id, contacts: items.count, automatic });
  return job;
}

@Controller()
export class RestoreHandlers {
  constructor(private readonly restores: RestoreService, private readonly ds: DataSource, private readonly storage: ObjectStorage,
    private readonly jobs: JobStore, @Inject(LOGGER) readonly logger: Logger) {}

  @CommandHandler(startRestoreV1)
  start(data: StartRestoreV1, context: CommandContext) {
    return this.restores.start(context, data);
  }

  @CommandHandler(restoreOutcomesV1)
  async outcomes(data: { id: string }, context: CommandContext): Promise<{ url: string }> {
    const job = await this.jobs.get(context.workspaceId, data.id);
    const key = (job?.result as { outcomesKey?: string } | null)?.outcomesKey;
    if (!job || job.kind !== 'restore' || !key) throw new DomainError(ErrorCode.NotFound, `no outcomes for restore ${data.id}${job ? ` (it is ${job.status})` : ''}`);
    return { url: await this.storage.presignedDownloadUrl('archive', key, { expiresInSeconds: 900, fileName: `restore-${job.id}.csv` }) };
  }

  /** An archived contact who submits a form comes back at once, whatever its age in the archive. */
  @OnEvent(formSubmittedV1)
  async onFormSubmitted(event: EventEnvelope<FormSubmittedV1>, em: EntityManager): Promise<void> {
    const rows = (await em.query(
      `select a.contact_id, a.email from archived_contact a
       where a.workspace_id = $1 and lower(a.email) = lower($2) and a.restored_at is null
         and not exists (select 1 from merged_contact m where m.contact_id = a.contact_id)`,
      [event.workspaceId, event.data.email])) as { contact_id: string; email: string }[];
    if (!rows.length) return;
    const context = contextOf(event, { actor: { id: 'system' }, origin: 'restore' });
    const started = await this.restores.restoreAutomatically(context, rows, event.id);
    if (started === 'waiting') this.logger.info({ workspaceId: event.workspaceId, contacts: rows.length }, 'automatic restore waits for the running restore');
  }
}

/** Re-creates the contacts in batches through contacts' restore command, recording each outcome. */
@Injectable()
export class RestoreJob {
  constructor(private readonly ds: DataSource, private readonly storage: ObjectStorage, private readonly contacts: CommandClient,
    private readonly jobs: JobStore, @Inject(ArchiveEnv) private readonly env: ArchiveEnv) {}

  /**
   * A pipeline of batches: up to ARCHIVE_RESTORE_PARALLEL batches are with contacts at once (each
   * its own transaction there) while this side stages the next and records the outcomes of the
   * oldest, in order. Batches are staged in contact id order; after a crash the job starts again
   * from what has no outcome yet, and what contacts restored meanwhile is reported as such.
   */
  async run(job: ClaimedJob, ctx: JobContext): Promise<Record<string, unknown>> {
    const p = job.params as unknown as ArchiveRestoreParams;
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
          if (!batch) { staging = false; break; }
          after = batch.upTo;
          inFlight.push(settle(this.contacts.request(restoreContactsV2, p.context, { snapshotsKey: batch.key })
            .then((reply) => ({ snapshotsKey: batch.key, reply }))));
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
      // Nothing is left running behind the failure; what this attempt staged goes with it.
      await Promise.all(inFlight);
      await this.storage.removeMany('archive', staged.flatMap((key) => [key, restoreOutcomesKey(key)])).catch(() => undefined);
      throw err;
    }
    const counts = await this.counts(job.id);
    const outcomesKey = await this.writeOutcomes(job.id, p.context.workspaceId);
    return { restored: counts.restored, conflicts: counts.conflicts, skipped: counts.skipped, outcomesKey };
  }

  /** Writes the snapshots of the next batch (contacts after `after` without an outcome) to object storage. */
  private async stage(job: ClaimedJob, batch: number, after: string | null, staged: string[]): Promise<{ key: string; upTo: string } | null> {
    const p = job.params as unknown as ArchiveRestoreParams;
    const [last] = (await this.ds.query(`select contact_id from (select contact_id from restore_item
        where job_id = $1 and outcome is null and ($2::uuid is null or contact_id > $2) order by contact_id limit $3) b
      order by contact_id desc limit 1`, [job.id, after, this.env.ARCHIVE_RESTORE_BATCH])) as { contact_id: string }[];
    if (!last) return null;
    const key = objectKey(p.context.workspaceId, 'archive', `restore-${job.id}-${job.attempt}-${batch}`, 'jsonl');
    staged.push(key);
    await withRunner(this.ds, (runner) => copyToObject(runner, `copy (select a.snapshot from restore_item i join archived_contact a using (contact_id)
        where i.job_id = ${sqlLiteral(job.id)} and i.outcome is null ${after ? `and i.contact_id > ${sqlLiteral(after)}` : ''}
          and i.contact_id <= ${sqlLiteral(last.contact_id)} order by i.contact_id) to stdout`, this.storage, 'archive', key));
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
      await em.query(`update restore_item i set
          outcome = case when o.code is null or o.code = $2 then 'restored' when o.code = $3 then 'conflict' when o.code = $4 then 'skipped' end,
          detail = case when o.code is null then nullif(o.skipped, '') when o.code = $2 then 'already restored' else o.message end
        from batch_outcome o where i.job_id = $1 and i.contact_id = o.contact_id`,
      [jobId, ErrorCode.ContactExists, ErrorCode.EmailInUse, ErrorCode.ContactMerged]);
      const [unknown] = (await em.query(`select code, message from batch_outcome where code is not null and code <> all($1::text[]) limit 1`,
        [[ErrorCode.ContactExists, ErrorCode.EmailInUse, ErrorCode.ContactMerged]])) as { code: string; message: string }[];
      if (unknown) throw new DomainError(unknown.code as ErrorCode, unknown.message);
      await em.query(`update archived_contact a set restored_at = now(), restore_job_id = $1
        from batch_outcome o where a.contact_id = o.contact_id and (o.code is null or o.code = $2) and a.restored_at is null`,
      [jobId, ErrorCode.ContactExists]);
    }).finally(() => source.destroy());
  }

  private async counts(jobId: string) {
    const [c] = (await this.ds.query(`select count(*) filter (where outcome is not null)::int as done,
        count(*) filter (where outcome = 'restored')::int as restored, count(*) filter (where outcome = 'conflict')::int as conflicts,
        count(*) filter (where outcome = 'skipped')::int as skipped from restore_item where job_id = $1`, [jobId])) as [{ done: number; restored: number; conflicts: number; skipped: number }];
    return c;
  }

  private async writeOutcomes(jobId: string, workspaceId: string): Promise<string> {
    const key = objectKey(workspaceId, 'archive', `restore-${jobId}`, 'csv');
    await withRunner(this.ds, (runner) => copyToObject(runner, `copy (select contact_id as "contactId", email, outcome, detail
      from restore_item where job_id = ${sqlLiteral(jobId)} order by email) to stdout with (format csv, header true)`, this.storage, 'archive', key));
    return key;
  }

  async onFinished(em: EntityManager, job: JobView, details: FinishedJobDetails): Promise<void> {
    if (job.kind !== 'restore') return;
    const p = details.params as unknown as ArchiveRestoreParams;
    if (job.status === 'succeeded') {
      const r = job.result as { restored: number; conflicts: number; skipped: number };
      await recordEvent(em, archiveRestoreCompletedV1, p.context, { jobId: job.id, restored: r.restored, conflicts: r.conflicts, skipped: r.skipped });
    } else {
      const [{ n }] = (await em.query(`select count(*)::int as n from restore_item where job_id = $1 and outcome = 'restored'`, [job.id])) as [{ n: number }];
      await recordEvent(em, archiveRestoreFailedV1, p.context, { jobId: job.id, code: job.error?.code ?? job.status, message: job.error?.message ?? job.status, restored: n });
    }
    // Automatic restores that waited for this one start now, in the transaction that ends it.
    const waiting = (await em.query(`with w as (delete from waiting_restore where workspace_id = $1 returning contact_id)
      select a.contact_id, a.email from archived_contact a join w using (contact_id)
      where a.restored_at is null and not exists (select 1 from merged_contact m where m.contact_id = a.contact_id)
      order by a.contact_id`, [p.context.workspaceId])) as { contact_id: string; email: string }[];
    if (waiting.length) {
      await startRestoreJob(em, this.jobs, this.env, { ...systemContext(p.context.workspaceId, p.context.correlationId), origin: 'restore' }, listed(waiting), true);
    }
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects, so a failure waiting its turn in the pipeline is not unhandled. */
function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  return work.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}
