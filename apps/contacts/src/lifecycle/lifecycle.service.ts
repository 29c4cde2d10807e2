import {
  DomainError, ErrorCode, type CommandContext, type ContactSnapshot, type ContactView, type RestoreOutcome,
} from '@custodian/contracts';
import { recordEvent, recordEvents } from '@custodian/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { findContact } from '../contacts/contact-queries.js';
import { ensureDealConsistent } from '../deals/deals.service.js';
import { deleteMemberships } from '../contacts/delete-memberships.js';
import { registerFields } from '../contacts/custom-fields.js';

/** Stricter first: when two memberships meet (merge), an opt-out or bounce is never lost. */
const STRICTNESS = `case status when 'bounced' then 4 when 'unsubscribed' then 3 when 'unconfirmed' then 2 else 1 end`;

interface ContactRow { id: string; email: string; first_name: string | null; last_name: string | null; fields: Record<string, string>; created_at: Date }

/** Merge, archive and restore: the moments a contact leaves or re-enters the live data. */
@Injectable()
export class LifecycleService {
  constructor(private readonly ds: DataSource) {}

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
      if (!duplicate) throw new DomainError(ErrorCode.NotFound, `contact ${duplicateId} not found`, { errors: [{ path: 'duplicateId', message: 'not found' }] });

      await em.query(
        `insert into membership (workspace_id, list_id, contact_id, status, updated_at)
         select workspace_id, list_id, $1, status, now() from membership where contact_id = $2
         on conflict (list_id, contact_id) do update set status = case
           when (${STRICTNESS.replace(/status/g, 'excluded.status')}) > (${STRICTNESS.replace(/status/g, 'membership.status')}) then excluded.status
           else membership.status end, updated_at = now()`,
        [primaryId, duplicateId],
      );
      await em.query('insert into contact_tag (contact_id, tag_id) select $1, tag_id from contact_tag where contact_id = $2 on conflict do nothing', [primaryId, duplicateId]);
      await em.query('insert into contact_account (contact_id, account_id) select $1, account_id from contact_account where contact_id = $2 on conflict do nothing', [primaryId, duplicateId]);
      // Deals: the primary takes the duplicate's place, including its primary role.
      await em.query(
        `update deal_contact dp set is_primary = true from deal_contact dd
         where dd.contact_id = $2 and dd.is_primary and dp.deal_id = dd.deal_id and dp.contact_id = $1`,
        [primaryId, duplicateId],
      );
      await em.query(
        `insert into deal_contact (deal_id, contact_id, is_primary)
         select deal_id, $1, is_primary from deal_contact dd where dd.contact_id = $2
         and not exists (select 1 from deal_contact x where x.deal_id = dd.deal_id and x.contact_id = $1)`,
        [primaryId, duplicateId],
      );
      const fields = { ...duplicate.fields, ...primary.fields };
      await em.query(
        'update contact set first_name = coalesce(first_name, $2), last_name = coalesce(last_name, $3), fields = $4, updated_at = now() where id = $1',
        [primaryId, duplicate.first_name, duplicate.last_name, fields],
      );
      await em.query('delete from contact where id = $1', [duplicateId]);
      await deleteMemberships(em, { contactIds: [duplicateId] });
      await em.query('insert into merged_contact (contact_id, workspace_id, merged_into, email) values ($1, $2, $3, $4)',
        [duplicateId, context.workspaceId, primaryId, duplicate.email]);
      await recordEvent(em, 'events.contacts.contact.merged.v1', context, { primaryId, duplicateId, duplicateEmail: duplicate.email });
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
        await recordEvent(em, 'events.contacts.deal.changed.v1', context, { dealId: d.dealId, change: 'deleted', name: d.name, contactIds: [id], primaryContactId: null });
      }
      await em.query('delete from contact where id = $1', [id]);
      await deleteMemberships(em, { contactIds: [id] });
      for (const d of snapshot.deals.filter((x) => !x.deletedWithContact && x.wasPrimary)) await ensureDealConsistent(em, d.dealId);
      await recordEvent(em, 'events.contacts.contact.archived.v1', context, { snapshot, ...(reason ? { reason } : {}) });
      return { archived: true as const, snapshot };
    });
  }

  async restore(context: CommandContext, snapshot: ContactSnapshot): Promise<RestoreOutcome> {
    const [outcome] = await this.restoreMany(context, [snapshot]);
    if (!outcome!.ok) throw new DomainError(outcome!.code as ErrorCode, outcome!.message ?? 'restore refused');
    return { contact: (await findContact(this.ds.manager, context.workspaceId, snapshot.contactId))!, skipped: outcome!.skipped ?? [] };
  }

  /**
   * Restores many contacts in one transaction with set-based statements (bulk restores). The rules
   * are restore()'s; each contact gets its own outcome: merged, already live, or email in use are
   * reported and the others still come back.
   */
  async restoreMany(context: CommandContext, snapshots: ContactSnapshot[]): Promise<{ contactId: string; ok: boolean; code?: string; message?: string; skipped?: string[] }[]> {
    const ws = context.workspaceId;
    return this.ds.transaction(async (em) => {
      const ids = snapshots.map((s) => s.contactId);
      const merged = new Set(((await em.query('select contact_id from merged_contact where workspace_id = $1 and contact_id = any($2::uuid[])', [ws, ids])) as { contact_id: string }[]).map((r) => r.contact_id));
      const live = new Set(((await em.query('select id from contact where id = any($1::uuid[])', [ids])) as { id: string }[]).map((r) => r.id));
      const candidates = snapshots.filter((s) => !merged.has(s.contactId) && !live.has(s.contactId));
      const inserted = new Set(((await em.query(
        `insert into contact (id, workspace_id, email, first_name, last_name, fields, created_at)
         select s.id, $1, s.email, s.first_name, s.last_name, s.fields, s.created_at
         from jsonb_to_recordset($2::jsonb) as s(id uuid, email text, first_name text, last_name text, fields jsonb, created_at timestamptz)
         on conflict (workspace_id, lower(email)) do nothing returning id`,
        [ws, JSON.stringify(candidates.map((c) => ({ id: c.contactId, email: c.email, first_name: c.firstName ?? null, last_name: c.lastName ?? null, fields: c.fields, created_at: c.createdAt })))],
      )) as { id: string }[]).map((r) => r.id));
      const restored = candidates.filter((c) => inserted.has(c.contactId));
      const exists = async (table: 'list' | 'tag' | 'account' | 'deal', wanted: string[]) => new Set(wanted.length
        ? ((await em.query(`select id from ${table} where workspace_id = $1 and id = any($2::uuid[])`, [ws, [...new Set(wanted)]])) as { id: string }[]).map((r) => r.id)
        : []);
      const lists = await exists('list', restored.flatMap((c) => c.memberships.map((m) => m.listId)));
      const tags = await exists('tag', restored.flatMap((c) => c.tags.map((t) => t.tagId)));
      const accounts = await exists('account', restored.flatMap((c) => c.accounts.map((a) => a.accountId)));
      const deals = await exists('deal', restored.flatMap((c) => c.deals.filter((d) => !d.deletedWithContact).map((d) => d.dealId)));
      const rows = <T>(pick: (c: ContactSnapshot) => T[]) => JSON.stringify(restored.flatMap(pick));
      await em.query(`insert into membership (workspace_id, list_id, contact_id, status)
        select $1, m.list_id, m.contact_id, m.status from jsonb_to_recordset($2::jsonb) as m(list_id uuid, contact_id uuid, status text)`,
      [ws, rows((c) => c.memberships.filter((m) => lists.has(m.listId)).map((m) => ({ list_id: m.listId, contact_id: c.contactId, status: m.status })))]);
      await em.query('insert into contact_tag (contact_id, tag_id) select t.contact_id, t.tag_id from jsonb_to_recordset($1::jsonb) as t(contact_id uuid, tag_id uuid)',
        [rows((c) => c.tags.filter((t) => tags.has(t.tagId)).map((t) => ({ contact_id: c.contactId, tag_id: t.tagId })))]);
      await em.query('insert into contact_account (contact_id, account_id) select a.contact_id, a.account_id from jsonb_to_recordset($1::jsonb) as a(contact_id uuid, account_id uuid)',
        [rows((c) => c.accounts.filter((a) => accounts.has(a.accountId)).map((a) => ({ contact_id: c.contactId, account_id: a.accountId })))]);
      // Back on a deal, never as its primary contact.
      await em.query('insert into deal_contact (deal_id, contact_id, is_primary) select d.deal_id, d.contact_id, false from jsonb_to_recordset($1::jsonb) as d(deal_id uuid, contact_id uuid)',
        [rows((c) => c.deals.filter((d) => !d.deletedWithContact && deals.has(d.dealId)).map((d) => ({ deal_id: d.dealId, contact_id: c.contactId })))]);
      await registerFields(em, ws, restored.flatMap((c) => Object.keys(c.fields)));
      const skippedOf = (c: ContactSnapshot) => [
        ...c.memberships.filter((m) => !lists.has(m.listId)).map((m) => `list:${m.listId}`),
        ...c.tags.filter((t) => !tags.has(t.tagId)).map((t) => `tag:${t.tagId}`),
        ...c.accounts.filter((a) => !accounts.has(a.accountId)).map((a) => `account:${a.accountId}`),
        ...c.deals.filter((d) => d.deletedWithContact || !deals.has(d.dealId)).map((d) => `deal:${d.dealId}`),
      ];
      await recordEvents(em, 'events.contacts.contact.restored.v1', context, restored.map((c) => ({ contactId: c.contactId, email: c.email, skipped: skippedOf(c) })));
      return snapshots.map((s) => {
        if (merged.has(s.contactId)) return { contactId: s.contactId, ok: false, code: ErrorCode.ContactMerged, message: `contact ${s.contactId} was merged into another contact and cannot be restored` };
        if (live.has(s.contactId)) return { contactId: s.contactId, ok: false, code: ErrorCode.ContactExists, message: `contact ${s.contactId} is already in the live data` };
        if (!inserted.has(s.contactId)) return { contactId: s.contactId, ok: false, code: ErrorCode.EmailInUse, message: `another live contact already uses ${s.email}` };
        return { contactId: s.contactId, ok: true, skipped: skippedOf(s) };
      });
    });
  }

  private async snapshot(em: EntityManager, workspaceId: string, id: string): Promise<ContactSnapshot> {
    const [c] = (await em.query('select id, email, first_name, last_name, fields, created_at from contact where workspace_id = $1 and id = $2 for update', [workspaceId, id])) as ContactRow[];
    if (!c) throw new DomainError(ErrorCode.NotFound, `contact ${id} not found`);
    const memberships = (await em.query(
      'select m.list_id as "listId", l.name as "listName", m.status from membership m join list l on l.id = m.list_id where m.contact_id = $1 order by l.name', [id])) as ContactSnapshot['memberships'];
    const tags = (await em.query('select t.id as "tagId", t.name from contact_tag ct join tag t on t.id = ct.tag_id where ct.contact_id = $1 order by t.name', [id])) as ContactSnapshot['tags'];
    const accounts = (await em.query('select a.id as "accountId", a.name from contact_account ca join account a on a.id = ca.account_id where ca.contact_id = $1 order by a.name', [id])) as ContactSnapshot['accounts'];
    const deals = (await em.query(
      `select d.id as "dealId", d.name, dc.is_primary as "wasPrimary",
              not exists (select 1 from deal_contact o where o.deal_id = d.id and o.contact_id <> $1) as "deletedWithContact"
       from deal_contact dc join deal d on d.id = dc.deal_id where dc.contact_id = $1 order by d.name for update of d`, [id])) as ContactSnapshot['deals'];
    return {
      contactId: c.id, email: c.email, firstName: c.first_name, lastName: c.last_name, fields: c.fields,
      createdAt: c.created_at.toISOString(), memberships, tags, accounts, deals,
    };
  }
}
