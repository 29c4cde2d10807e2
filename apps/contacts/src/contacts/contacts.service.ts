import {
  contactCreatedV1,
  contactDeletedV1,
  contactUpdatedV1,
  DomainError,
  ErrorCode,
  membershipChangedV1,
  tagCreatedV1,
  type CommandContext,
  type ContactView,
  type CreateContactV1,
  type ListContactsV1,
  type Page,
  type TagContactV1,
  type UpdateContactV1,
  type WorkspaceStats,
  type WorkspaceStatsV1,
  validationFailed,
} from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CONTACT_VIEW_SQL, findContact, pageOf, toContactView } from './contact-queries.js';
import { FieldDefinitions } from '../fields/field-definitions.js';
import { deleteMemberships } from './delete-memberships.js';
import { contactFilterSql } from './contact-filter.js';
import { keysetPageSql } from '@custodian/persistence';

@Injectable()
export class ContactsService {
  constructor(
    private readonly ds: DataSource,
    private readonly fieldDefinitions: FieldDefinitions,
  ) {}

  async create(context: CommandContext, input: CreateContactV1): Promise<ContactView> {
    const id = await this.ds.transaction(async (em) => {
      // Before the insert: a new field waits for other new definitions of the workspace while holding nothing.
      const fields = await this.fieldDefinitions.canonical(em, context.workspaceId, input.fields ?? {});
      for (const [name, value] of Object.entries(fields)) if (value === '') delete fields[name];
      const [row] = (await em.query(
        `insert into contact (workspace_id, email, first_name, last_name, fields)
         values ($1, $2, $3, $4, $5)
         on conflict (workspace_id, lower(email)) do nothing
         returning id, created_at`,
        [context.workspaceId, input.email.trim(), input.firstName ?? null, input.lastName ?? null, fields],
      )) as { id: string; created_at: Date }[];
      if (!row) throw new DomainError(ErrorCode.EmailTaken, `a contact with email ${input.email} already exists in this workspace`);
      await this.applyMemberships(em, context, row.id, input.lists ?? []);
      await this.applyTags(em, context, row.id, input.tags ?? []);
      await recordEvent(em, contactCreatedV1, context, {
        contactId: row.id,
        email: input.email.trim(),
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
        fields,
        createdAt: row.created_at.toISOString(),
      });
      return row.id;
    });
    return (await findContact(this.ds.manager, context.workspaceId, id))!;
  }

  async get(context: CommandContext, id: string): Promise<ContactView> {
    const contact = await findContact(this.ds.manager, context.workspaceId, id);
    if (!contact) throw new DomainError(ErrorCode.NotFound, `contact ${id} not found`);
    return contact;
  }

  async update(context: CommandContext, input: UpdateContactV1): Promise<ContactView> {
    await this.ds.transaction(async (em) => {
      const fields = await this.fieldDefinitions.canonical(em, context.workspaceId, input.fields ?? {});
      const [current] = (await em.query('select email, first_name, last_name, fields from contact where workspace_id = $1 and id = $2 for update', [
        context.workspaceId,
        input.id,
      ])) as { email: string; first_name: string | null; last_name: string | null; fields: Record<string, string> }[];
      if (!current) throw new DomainError(ErrorCode.NotFound, `contact ${input.id} not found`);
      const changed: string[] = [];
      const next = { email: current.email, firstName: current.first_name, lastName: current.last_name, fields: { ...current.fields } };
      if (input.email !== undefined && input.email.trim() !== current.email) {
        next.email = input.email.trim();
        changed.push('email');
      }
      if (input.firstName !== undefined && input.firstName !== current.first_name) {
        next.firstName = input.firstName;
        changed.push('firstName');
      }
      if (input.lastName !== undefined && input.lastName !== current.last_name) {
        next.lastName = input.lastName;
        changed.push('lastName');
      }
      for (const [name, value] of Object.entries(fields)) {
        if ((current.fields[name] ?? '') === value) continue;
        if (value === '') delete next.fields[name];
        else next.fields[name] = value;
        changed.push(`fields.${name}`);
      }
      if (!changed.length) return;
      const tooBig = changed.some((c) => c.startsWith('fields.')) ? this.fieldDefinitions.sizeProblem(next.fields) : null;
      if (tooBig) throw validationFailed('fields', tooBig, `the contact's custom fields would ${tooBig}`);
      try {
        await em.query('update contact set email = $3, first_name = $4, last_name = $5, fields = $6, updated_at = now() where workspace_id = $1 and id = $2', [
          context.workspaceId,
          input.id,
          next.email,
          next.firstName,
          next.lastName,
          next.fields,
        ]);
      } catch (err) {
        if ((err as { code?: string }).code === '23505')
          throw new DomainError(ErrorCode.EmailTaken, `a contact with email ${next.email} already exists in this workspace`);
        throw err;
      }
      await recordEvent(em, contactUpdatedV1, context, { contactId: input.id, email: next.email, changed });
    });
    return this.get(context, input.id);
  }

  async delete(context: CommandContext, id: string): Promise<{ deleted: true }> {
    await this.ds.transaction(async (em) => {
      const rows = (await em.query('delete from contact where workspace_id = $1 and id = $2 returning email', [context.workspaceId, id])) as [
        { email: string }[],
        number,
      ];
      const deleted = rows[0]?.[0];
      if (!deleted) throw new DomainError(ErrorCode.NotFound, `contact ${id} not found`);
      await deleteMemberships(em, { contactIds: [id] });
      await recordEvent(em, contactDeletedV1, context, { contactId: id, email: deleted.email });
    });
    return { deleted: true };
  }

  async tag(context: CommandContext, input: TagContactV1): Promise<ContactView> {
    await this.ds.transaction(async (em) => {
      const [contact] = (await em.query('select email from contact where workspace_id = $1 and id = $2 for update', [context.workspaceId, input.id])) as {
        email: string;
      }[];
      if (!contact) throw new DomainError(ErrorCode.NotFound, `contact ${input.id} not found`);
      const added = await this.applyTags(em, context, input.id, input.add ?? []);
      let removed = 0;
      for (const name of new Set((input.remove ?? []).map((t) => t.trim()).filter(Boolean))) {
        const rows = (await em.query(
          `delete from contact_tag ct using tag t
           where ct.tag_id = t.id and ct.contact_id = $2 and t.workspace_id = $1 and lower(t.name) = lower($3) returning ct.tag_id`,
          [context.workspaceId, input.id, name],
        )) as [unknown[], number];
        removed += rows[1];
      }
      if (added + removed > 0) {
        await em.query('update contact set updated_at = now() where id = $1', [input.id]);
        await recordEvent(em, contactUpdatedV1, context, { contactId: input.id, email: contact.email, changed: ['tags'] });
      }
    });
    return this.get(context, input.id);
  }

  /** The active-contact count (what plan limits count), emails in use, and which records still exist. */
  async stats(context: CommandContext, query: WorkspaceStatsV1): Promise<WorkspaceStats> {
    const ws = context.workspaceId;
    const [{ n }] = (await this.ds.query('select count(*)::int as n from contact where workspace_id = $1', [ws])) as [{ n: number }];
    const emails = (query.emails ?? []).map((e) => e.toLowerCase());
    const used = emails.length
      ? (
          (await this.ds.query('select lower(email) as email from contact where workspace_id = $1 and lower(email) = any($2::text[])', [ws, emails])) as {
            email: string;
          }[]
        ).map((r) => r.email)
      : [];
    const existing = async (table: 'list' | 'tag' | 'account' | 'deal', ids: string[] = []) =>
      ids.length
        ? ((await this.ds.query(`select id from ${table} where workspace_id = $1 and id = any($2::uuid[])`, [ws, ids])) as { id: string }[]).map((r) => r.id)
        : [];
    return {
      activeContacts: n,
      emailsInUse: used,
      existing: {
        lists: await existing('list', query.listIds),
        tags: await existing('tag', query.tagIds),
        accounts: await existing('account', query.accountIds),
        deals: await existing('deal', query.dealIds),
      },
    };
  }

  async list(context: CommandContext, query: ListContactsV1): Promise<Page<ContactView>> {
    const limit = query.limit ?? 50;
    const { email, listId, tag, accountId } = query;
    const { where, params } = contactFilterSql(context.workspaceId, { email, listId, tag, accountId });
    const page = keysetPageSql(CONTACT_VIEW_SQL, where, params, ['c.created_at', 'c.id'], { cursor: query.cursor, limit });
    const rows = await this.ds.query(page.sql, page.params);
    return pageOf(rows, limit, toContactView);
  }

  private async applyMemberships(em: EntityManager, context: CommandContext, contactId: string, lists: { listId: string; status: string }[]): Promise<void> {
    for (const m of lists) {
      const found: unknown[] = await em.query('select 1 from list where workspace_id = $1 and id = $2', [context.workspaceId, m.listId]);
      if (!found.length)
        throw new DomainError(ErrorCode.NotFound, `list ${m.listId} not found`, { errors: [{ path: 'lists', message: `list ${m.listId} does not exist` }] });
      await em.query(
        `insert into membership (workspace_id, list_id, contact_id, status) values ($1, $2, $3, $4)
         on conflict (list_id, contact_id) do update set status = excluded.status, updated_at = now()`,
        [context.workspaceId, m.listId, contactId, m.status],
      );
      await recordEvent(em, membershipChangedV1, context, { listId: m.listId, contactId, status: m.status as never, previousStatus: null });
    }
  }

  /** Links the contact to the named tags, creating missing tags; returns how many links were added. */
  private async applyTags(em: EntityManager, context: CommandContext, contactId: string, tags: string[]): Promise<number> {
    let added = 0;
    for (const name of new Set(tags.map((t) => t.trim()).filter(Boolean))) {
      const created = (await em.query('insert into tag (workspace_id, name) values ($1, $2) on conflict (workspace_id, lower(name)) do nothing returning id', [
        context.workspaceId,
        name,
      ])) as { id: string }[];
      if (created[0]) await recordEvent(em, tagCreatedV1, context, { tagId: created[0].id, name });
      const linked = (await em.query(
        `insert into contact_tag (contact_id, tag_id)
         select $2, id from tag where workspace_id = $1 and lower(name) = lower($3) on conflict do nothing returning tag_id`,
        [context.workspaceId, contactId, name],
      )) as unknown[];
      added += linked.length;
    }
    return added;
  }
}
