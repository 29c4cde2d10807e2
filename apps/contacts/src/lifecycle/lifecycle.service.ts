import {
  contactArchivedV1,
  contactMergedV1,
  dealChangedV1,
  DomainError,
  ErrorCode,
  type CommandContext,
  type ContactSnapshot,
  type ContactView,
  emailsInUseKey,
  restoreOutcomesKey,
  type EmailsInUseReply,
  type RestoreBatchOutcome,
  type RestoreBatchReply,
  type RestoreOutcome,
} from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { copyIn, inTransaction, sqlLiteral } from '@custodian/persistence';
import { copyToObject, keyBelongsTo, ObjectStorage, StorageError } from '@custodian/storage';
import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import { findContact } from '../contacts/contact-queries.js';
import { ensureDealConsistent } from '../deals/deals.service.js';
import { deleteMemberships } from '../contacts/delete-memberships.js';
import { FieldDefinitions } from '../fields/field-definitions.js';
import { createRestoreStage, restoreStaged, RESTORE_OUTCOMES_COPY } from './restore-contacts.js';

/** Stricter first: when two memberships meet (merge), an opt-out or bounce is never lost. */
const STRICTNESS = `case status when 'bounced' then 4 when 'unsubscribed' then 3 when 'unconfirmed' then 2 else 1 end`;

interface ContactRow {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  fields: Record<string, string>;
  created_at: Date;
}

/** Merge, archive and restore: the moments a contact leaves or re-enters the live data. */
@Injectable()
export class LifecycleService {
  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    private readonly fields: FieldDefinitions,
  ) {}

  async merge(context: CommandContext, primaryId: string, duplicateId: string): Promise<ContactView> {
    if (primaryId === duplicateId) throw new DomainError(ErrorCode.MergeSameContact, 'a contact cannot be merged into itself');
    await this.ds.transaction(async (em) => {
      // Lock both in a fixed order so two merges of the same pair cannot deadlock.
      const rows = (await em.query(
        'select id, email, first_name, last_name, fields, created_at from contact where workspace_id = $1 and id = any($2::uuid[]) order by id for update',
        [context.workspaceId, [primaryId, duplicateId]],
      )) as ContactRow[];
      const primary = rows.find((r) => r.id === primaryId);
      const duplicate = rows.find((r) => r.id === duplicateId);
      if (!primary) throw new DomainError(ErrorCode.NotFound, `contact ${primaryId} not found`, { errors: [{ path: 'primaryId', message: 'not found' }] });
      if (!duplicate)
        throw new DomainError(ErrorCode.NotFound, `contact ${duplicateId} not found`, { errors: [{ path: 'duplicateId', message: 'not found' }] });

      await em.query(
        `insert into membership (workspace_id, list_id, contact_id, status, updated_at)
         select workspace_id, list_id, $1, status, now() from membership where contact_id = $2
         on conflict (list_id, contact_id) do update set status = case
           when (${STRICTNESS.replace(/status/g, 'excluded.status')}) > (${STRICTNESS.replace(/status/g, 'membership.status')}) then excluded.status
           else membership.status end, updated_at = now()`,
        [primaryId, duplicateId],
      );
      await em.query('insert into contact_tag (contact_id, tag_id) select $1, tag_id from contact_tag where contact_id = $2 on conflict do nothing', [
        primaryId,
        duplicateId,
      ]);
      await em.query(
        'insert into contact_account (contact_id, account_id) select $1, account_id from contact_account where contact_id = $2 on conflict do nothing',
        [primaryId, duplicateId],
      );
      // Deals: the primary takes the duplicate's place, including its primary role (handed over, not held twice:
      // a deal has one primary contact).
      const [handedOver] = (await em.query('update deal_contact set is_primary = false where contact_id = $1 and is_primary returning deal_id', [
        duplicateId,
      ])) as [{ deal_id: string }[], number];
      await em.query(
        'insert into deal_contact (deal_id, contact_id, is_primary) select deal_id, $1, false from deal_contact where contact_id = $2 on conflict do nothing',
        [primaryId, duplicateId],
      );
      await em.query('update deal_contact set is_primary = true where contact_id = $1 and deal_id = any($2::uuid[])', [
        primaryId,
        handedOver.map((d) => d.deal_id),
      ]);
      const fields = { ...duplicate.fields, ...primary.fields };
      await em.query(
        'update contact set first_name = coalesce(first_name, $2), last_name = coalesce(last_name, $3), fields = $4, updated_at = now() where id = $1',
        [primaryId, duplicate.first_name, duplicate.last_name, fields],
      );
      await em.query('delete from contact where id = $1', [duplicateId]);
      await deleteMemberships(em, { contactIds: [duplicateId] });
      await em.query('insert into merged_contact (contact_id, workspace_id, merged_into, email) values ($1, $2, $3, $4)', [
        duplicateId,
        context.workspaceId,
        primaryId,
        duplicate.email,
      ]);
      await recordEvent(em, contactMergedV1, context, { primaryId, duplicateId, duplicateEmail: duplicate.email });
    });
    return (await findContact(this.ds.manager, context.workspaceId, primaryId))!;
  }

  /** Removes the contact from the live data in one transaction and emits its complete snapshot. */
  async archive(context: CommandContext, id: string, reason?: string): Promise<{ archived: true; snapshot: ContactSnapshot }> {
    return this.ds.transaction(async (em) => {
      const snapshot = await this.snapshot(em, context.workspaceId, id);
      // A deal whose only contact leaves is deleted with it; others lose the link (and get a new primary).
      const deletedDeals = snapshot.deals.filter((d) => d.deletedWithContact).map((d) => d.dealId);
      if (deletedDeals.length) await em.query('delete from deal where id = any($1::uuid[])', [deletedDeals]);
      for (const d of snapshot.deals.filter((x) => x.deletedWithContact)) {
        await recordEvent(em, dealChangedV1, context, { dealId: d.dealId, change: 'deleted', name: d.name, contactIds: [id], primaryContactId: null });
      }
      await em.query('delete from contact where id = $1', [id]);
      await deleteMemberships(em, { contactIds: [id] });
      for (const d of snapshot.deals.filter((x) => !x.deletedWithContact && x.wasPrimary)) await ensureDealConsistent(em, d.dealId);
      await recordEvent(em, contactArchivedV1, context, { snapshot, ...(reason ? { reason } : {}) });
      return { archived: true as const, snapshot };
    });
  }

  async restore(context: CommandContext, snapshot: ContactSnapshot): Promise<RestoreOutcome> {
    const outcome = await this.ds.transaction(async (em) => {
      await createRestoreStage(em);
      await em.query('insert into restore_stage (snapshot) values ($1::jsonb)', [JSON.stringify(snapshot)]);
      await restoreStaged(em, context, this.fields);
      const [row] = (await em.query('select code, message, skipped from restore_outcome')) as { code: string | null; message: string; skipped: string }[];
      return row!;
    });
    if (outcome.code) throw new DomainError(outcome.code as ErrorCode, outcome.message);
    return {
      contact: (await findContact(this.ds.manager, context.workspaceId, snapshot.contactId))!,
      skipped: outcome.skipped ? outcome.skipped.split(' ') : [],
    };
  }

  /**
   * Restores a batch of snapshots read from object storage in one transaction (bulk restores) and
   * writes each contact's outcome next to them. A failure restores none of the batch.
   */
  async restoreBatch(context: CommandContext, snapshotsKey: string): Promise<RestoreBatchReply> {
    const source = await this.openArchiveObject(context, snapshotsKey, 'snapshotsKey');
    const outcomesKey = restoreOutcomesKey(snapshotsKey);
    // The download is closed whatever fails, before or during the COPY.
    return inTransaction(this.ds, async (runner) => {
      await createRestoreStage(runner.manager);
      await copyIn(runner, 'copy restore_stage (snapshot) from stdin', source);
      const counts = await restoreStaged(runner.manager, context, this.fields);
      // Written before the commit (the outcomes live in the transaction); the reply comes only after it.
      await copyToObject(runner, RESTORE_OUTCOMES_COPY, this.storage, 'archive', outcomesKey);
      return { outcomesKey, ...counts };
    }).finally(() => source.destroy());
  }

  /** contacts.contact.restore-batch.v1 (deprecated): the snapshots in the request, the outcomes in the reply. */
  async restoreListed(context: CommandContext, snapshots: ContactSnapshot[]): Promise<RestoreBatchOutcome[]> {
    return this.ds.transaction(async (em) => {
      await createRestoreStage(em);
      await em.query('insert into restore_stage (snapshot) select value from jsonb_array_elements($1::jsonb)', [JSON.stringify(snapshots)]);
      await restoreStaged(em, context, this.fields);
      const rows = (await em.query('select contact_id, code, message, skipped from restore_outcome order by contact_id')) as {
        contact_id: string;
        code: string | null;
        message: string | null;
        skipped: string;
      }[];
      return rows.map((r) =>
        r.code
          ? { contactId: r.contact_id, ok: false, code: r.code, message: r.message ?? undefined }
          : { contactId: r.contact_id, ok: true, skipped: r.skipped ? r.skipped.split(' ') : [] },
      );
    });
  }

  /** Which of the emails in an archive object live contacts use, written next to it (restore validation). */
  async emailsInUse(context: CommandContext, emailsKey: string): Promise<EmailsInUseReply> {
    const source = await this.openArchiveObject(context, emailsKey, 'emailsKey');
    const inUseKey = emailsInUseKey(emailsKey);
    return inTransaction(this.ds, async (runner) => {
      await runner.query('create temp table checked_email (email text not null) on commit drop');
      const checked = await copyIn(runner, 'copy checked_email (email) from stdin', source);
      await runner.query('analyze checked_email');
      const { rows } = await copyToObject(
        runner,
        `copy (select distinct e.email from checked_email e
          where exists (select 1 from contact c where c.workspace_id = ${sqlLiteral(context.workspaceId)} and lower(c.email) = e.email)) to stdout`,
        this.storage,
        'archive',
        inUseKey,
      );
      return { inUseKey, checked, inUse: rows };
    }).finally(() => source.destroy());
  }

  /** An object the archive service wrote for this workspace, opened for reading. */
  private async openArchiveObject(context: CommandContext, key: string, path: string): Promise<Readable> {
    if (!keyBelongsTo(key, context.workspaceId, 'archive')) {
      throw new DomainError(ErrorCode.ValidationFailed, `${path} is not an archive object of this workspace`, {
        errors: [{ path, message: 'not an archive object of this workspace' }],
      });
    }
    return this.storage.download('archive', key).catch((err: unknown) => {
      if (err instanceof StorageError && err.code === 'STORAGE_NOT_FOUND') throw new DomainError(ErrorCode.NotFound, `${key} not found`);
      throw err;
    });
  }

  private async snapshot(em: EntityManager, workspaceId: string, id: string): Promise<ContactSnapshot> {
    const [c] = (await em.query('select id, email, first_name, last_name, fields, created_at from contact where workspace_id = $1 and id = $2 for update', [
      workspaceId,
      id,
    ])) as ContactRow[];
    if (!c) throw new DomainError(ErrorCode.NotFound, `contact ${id} not found`);
    const memberships = (await em.query(
      'select m.list_id as "listId", l.name as "listName", m.status from membership m join list l on l.id = m.list_id where m.contact_id = $1 order by l.name',
      [id],
    )) as ContactSnapshot['memberships'];
    const tags = (await em.query('select t.id as "tagId", t.name from contact_tag ct join tag t on t.id = ct.tag_id where ct.contact_id = $1 order by t.name', [
      id,
    ])) as ContactSnapshot['tags'];
    const accounts = (await em.query(
      'select a.id as "accountId", a.name from contact_account ca join account a on a.id = ca.account_id where ca.contact_id = $1 order by a.name',
      [id],
    )) as ContactSnapshot['accounts'];
    const deals = (await em.query(
      `select d.id as "dealId", d.name, dc.is_primary as "wasPrimary",
              not exists (select 1 from deal_contact o where o.deal_id = d.id and o.contact_id <> $1) as "deletedWithContact"
       from deal_contact dc join deal d on d.id = dc.deal_id where dc.contact_id = $1 order by d.name for update of d`,
      [id],
    )) as ContactSnapshot['deals'];
    return {
      contactId: c.id,
      email: c.email,
      firstName: c.first_name,
      lastName: c.last_name,
      fields: c.fields,
      createdAt: c.created_at.toISOString(),
      memberships,
      tags,
      accounts,
      deals,
    };
  }
}
