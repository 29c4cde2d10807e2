import {
  DomainError,
  ErrorCode,
  type CommandContext,
  type ContactSnapshot,
  type JobView,
  emailsInUseKey,
  type StartRestoreV1,
  workspaceStatsV1,
  emailsInUseV1,
  type RestorePreview,
  RESTORE_PREVIEW_SAMPLE,
  validationFailed,
  WORKSPACE_STATS_MAX_IDS,
} from '@custodian/contracts';
import { JobRunner, JobStore } from '@custodian/jobs';
import { CommandClient } from '@custodian/messaging';
import { copyIn, inTransaction, PAGE_MAX_BYTES, takeWithin } from '@custodian/persistence';
import { copyToObject, objectKey, ObjectStorage } from '@custodian/storage';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { ArchiveEnv } from '../config.js';
import { notRestorableSql, windowOf, type Refusal } from '../store/rules.js';
import { listed, RestoreJob, startRestoreJob } from './restore-job.js';

/** How many refused contacts a refusal lists (the answer stays a small message). */
const REFUSALS_LISTED = 1000;

@Injectable()
export class RestoreService {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly restoreJob: RestoreJob,
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
      throw validationFailed('', 'needs contactIds or filter', 'give contactIds or a filter');
    }
    const result = await inTransaction(this.ds, async (runner) => {
      const em = runner.manager;
      if (!request.dryRun) await this.jobs.refuseWhileActive(em, context.workspaceId, 'restore', request.idempotencyKey);
      await this.selectCandidates(em, context.workspaceId, request);
      await this.markEmailsInUse(runner, context);
      const missing = request.contactIds
        ? (
            (await em.query('select id from unnest($1::uuid[]) as id where id not in (select contact_id from restore_candidate)', [request.contactIds])) as {
              id: string;
            }[]
          ).map((r) => r.id)
        : [];
      const [{ ok, refused }] = (await em.query(`select count(*) filter (where why is null)::int as ok, count(*) filter (where why is not null)::int as refused
        from restore_candidate`)) as [{ ok: number; refused: number }];
      const limit = this.limitOf(context.plan);
      // The first `max` refusals: ids not archived first, then refused candidates in archive order.
      const refusals = async (max: number): Promise<Refusal[]> => {
        const notFound = missing.slice(0, max).map((contactId) => ({ contactId, reason: 'not_found' as const }));
        if (notFound.length === max) return notFound;
        return [
          ...notFound,
          ...((await em.query(`select contact_id as "contactId", why as reason from restore_candidate where why is not null
            order by archived_at, contact_id limit ${max - notFound.length}`)) as Refusal[]),
        ];
      };
      if (request.dryRun) return this.preview(em, context, { ok, refused: missing.length + refused, sample: await refusals(RESTORE_PREVIEW_SAMPLE) }, limit);
      if (missing.length + refused) {
        // The first 1,000 are listed, so the answer stays a small message.
        const n = missing.length + refused;
        throw new DomainError(ErrorCode.RestoreRefused, `${n} contact(s) cannot be restored${n > REFUSALS_LISTED ? ' (the first 1,000 are listed)' : ''}`, {
          errors: (await refusals(REFUSALS_LISTED)).map((r) => ({ path: r.contactId, message: r.reason })),
        });
      }
      if (!ok) throw new DomainError(ErrorCode.NotFound, 'no archived contact matches');
      const stats = await this.contacts.request(workspaceStatsV1, context, {});
      const projected = stats.activeContacts + ok;
      if (projected > limit && !request.confirmOverage) {
        throw new DomainError(
          ErrorCode.ActiveContactLimit,
          `restoring ${ok} contact(s) takes the workspace to ${projected} active contacts, ${projected - limit} over its limit of ${limit}; send confirmOverage: true to go ahead`,
          { errors: [{ path: 'confirmOverage', message: `projected ${projected}, limit ${limit}, overage ${projected - limit}` }] },
        );
      }
      return startRestoreJob(
        em,
        this.jobs,
        this.restoreJob.definition,
        context,
        { sql: 'select contact_id, email from restore_candidate where why is null', count: ok },
        false,
        request.idempotencyKey,
      );
    });
    if (!request.dryRun) this.runner.poke();
    return result;
  }

  /** The archived contacts a request names, each with why it cannot be restored (or null), in `restore_candidate`. */
  private async selectCandidates(em: EntityManager, workspaceId: string, request: StartRestoreV1): Promise<void> {
    const { frozenSecs, restorableSecs } = windowOf(this.env);
    const params: unknown[] = [workspaceId, frozenSecs, restorableSecs];
    const where = ['a.workspace_id = $1', 'a.restored_at is null'];
    if (request.contactIds) {
      params.push(request.contactIds);
      where.push(`a.contact_id = any($${params.length}::uuid[])`);
    }
    const f = request.filter ?? {};
    if (f.email) {
      params.push(f.email);
      where.push(`lower(a.email) = lower($${params.length})`);
    }
    if (f.listId) {
      params.push(f.listId);
      where.push(`$${params.length} = any(a.list_ids)`);
    }
    if (f.tag) {
      params.push(f.tag.toLowerCase());
      where.push(`$${params.length} = any(a.tag_names)`);
    }
    if (f.archivedFrom) {
      params.push(f.archivedFrom);
      where.push(`a.archived_at >= $${params.length}`);
    }
    if (f.archivedTo) {
      params.push(f.archivedTo);
      where.push(`a.archived_at < $${params.length}`);
    }
    await em.query(
      `create temp table restore_candidate on commit drop as
      select a.contact_id, a.email, a.archived_at, ${notRestorableSql('$2', '$3')} as why
      from archived_contact a where ${where.join(' and ')}`,
      params,
    );
  }

  /** Refuses the candidates whose email a live contact now uses; the check runs in contacts. */
  private async markEmailsInUse(runner: QueryRunner, context: CommandContext): Promise<void> {
    const emailsKey = objectKey(context.workspaceId, 'archive', `restore-check-${randomUUID()}`, 'txt');
    try {
      const { rows } = await copyToObject(
        runner,
        'copy (select distinct lower(email) from restore_candidate where why is null) to stdout',
        this.storage,
        'archive',
        emailsKey,
      );
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

  /**
   * What a restore would bring back and drop, without doing it: the counts, and for the first
   * contacts of each kind what they would lose or why they are refused. Only the sample is read
   * and looked up in contacts, so neither the work nor the answer grows with the candidates.
   */
  private async preview(
    em: EntityManager,
    context: CommandContext,
    candidates: { ok: number; refused: number; sample: Refusal[] },
    limit: number,
  ): Promise<RestorePreview> {
    const sample = (await em.query(
      `select c.contact_id, c.email, a.snapshot from restore_candidate c join archived_contact a using (contact_id)
      where c.why is null order by c.archived_at, c.contact_id limit ${RESTORE_PREVIEW_SAMPLE}`,
    )) as { contact_id: string; email: string; snapshot: ContactSnapshot }[];
    const snapshots = sample.map((c) => c.snapshot);
    const { activeContacts, exists } = await this.lookUp(context, {
      listIds: snapshots.flatMap((s) => s.memberships.map((m) => m.listId)),
      tagIds: snapshots.flatMap((s) => s.tags.map((t) => t.tagId)),
      accountIds: snapshots.flatMap((s) => s.accounts.map((a) => a.accountId)),
      dealIds: snapshots.flatMap((s) => s.deals.map((d) => d.dealId)),
    });
    const restorable = sample.map(({ contact_id, email, snapshot: s }) => ({
      contactId: contact_id,
      email,
      drops: [
        ...s.memberships.filter((m) => !exists.lists.has(m.listId)).map((m) => `list:${m.listName}`),
        ...s.tags.filter((t) => !exists.tags.has(t.tagId)).map((t) => `tag:${t.name}`),
        ...s.accounts.filter((a) => !exists.accounts.has(a.accountId)).map((a) => `account:${a.name}`),
        ...s.deals.filter((d) => d.deletedWithContact || !exists.deals.has(d.dealId)).map((d) => `deal:${d.name}`),
      ],
    }));
    return {
      dryRun: true,
      restorableCount: candidates.ok,
      restorable: takeWithin(restorable, PAGE_MAX_BYTES),
      refusedCount: candidates.refused,
      refused: candidates.sample,
      activeContacts,
      limit,
      projected: activeContacts + candidates.ok,
    };
  }

  /**
   * The workspace's active-contact count and which of the ids still exist in contacts: all kinds
   * in one request, WORKSPACE_STATS_MAX_IDS of each at a time (one request for a preview's sample).
   */
  private async lookUp(
    context: CommandContext,
    ids: Record<'listIds' | 'tagIds' | 'accountIds' | 'dealIds', string[]>,
  ): Promise<{ activeContacts: number; exists: Record<'lists' | 'tags' | 'accounts' | 'deals', Set<string>> }> {
    const distinct = Object.fromEntries(Object.entries(ids).map(([kind, list]) => [kind, [...new Set(list)]])) as typeof ids;
    const exists = { lists: new Set<string>(), tags: new Set<string>(), accounts: new Set<string>(), deals: new Set<string>() };
    const rounds = Math.max(1, ...Object.values(distinct).map((list) => Math.ceil(list.length / WORKSPACE_STATS_MAX_IDS)));
    let activeContacts = 0;
    for (let round = 0; round < rounds; round += 1) {
      const slice = (list: string[]) => list.slice(round * WORKSPACE_STATS_MAX_IDS, (round + 1) * WORKSPACE_STATS_MAX_IDS);
      const stats = await this.contacts.request(workspaceStatsV1, context, {
        listIds: slice(distinct.listIds),
        tagIds: slice(distinct.tagIds),
        accountIds: slice(distinct.accountIds),
        dealIds: slice(distinct.dealIds),
      });
      if (round === 0) activeContacts = stats.activeContacts;
      for (const kind of ['lists', 'tags', 'accounts', 'deals'] as const) for (const id of stats.existing[kind]) exists[kind].add(id);
    }
    return { activeContacts, exists };
  }

  /**
   * Restores at once, or, while another restore runs in the workspace, waits for it: the running
   * job's row is locked while the wait is written, so the job cannot end unseen in between, and
   * the job's end starts what waits (RestoreJob.onFinished). Safe to repeat for the same event.
   */
  async restoreAutomatically(context: CommandContext, contacts: { contact_id: string; email: string }[], eventId: string): Promise<JobView | 'waiting'> {
    const started = await this.ds.transaction(async (em) => {
      for (;;) {
        if (await this.jobs.activeFor(em, context.workspaceId, 'restore')) {
          await em.query(`insert into waiting_restore (contact_id, workspace_id, event_id) select unnest($2::uuid[]), $1, $3 on conflict do nothing`, [
            context.workspaceId,
            contacts.map((c) => c.contact_id),
            eventId,
          ]);
          return 'waiting' as const;
        }
        try {
          return await startRestoreJob(em, this.jobs, this.restoreJob.definition, context, listed(contacts), true, `form-${eventId}`);
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
