import {
  DomainError, ErrorCode, type CommandContext, type ContactView, type CreateContactV1, type ListContactsV1, type Page,
} from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CONTACT_VIEW_SQL, decodeCursor, encodeCursor, findContact, toContactView } from './contact-queries.js';

@Injectable()
export class ContactsService {
  constructor(private readonly ds: DataSource) {}

  async create(context: CommandContext, input: CreateContactV1): Promise<ContactView> {
    const id = await this.ds.transaction(async (em) => {
      const [row] = (await em.query(
        `insert into contact (workspace_id, email, first_name, last_name, fields)
         values ($1, $2, $3, $4, $5)
         on conflict (workspace_id, lower(email)) do nothing
         returning id, created_at`,
        [context.workspaceId, input.email.trim(), input.firstName ?? null, input.lastName ?? null, input.fields ?? {}],
      )) as { id: string; created_at: Date }[];
      if (!row) throw new DomainError(ErrorCode.EmailTaken, `a contact with email ${input.email} already exists in this workspace`);
      await this.applyMemberships(em, context, row.id, input.lists ?? []);
      await this.applyTags(em, context.workspaceId, row.id, input.tags ?? []);
      await recordEvent(em, 'events.contacts.contact.created.v1', context, {
        contactId: row.id, email: input.email.trim(), firstName: input.firstName ?? null, lastName: input.lastName ?? null,
        fields: input.fields ?? {}, createdAt: row.created_at.toISOString(),
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

  async list(context: CommandContext, query: ListContactsV1): Promise<Page<ContactView>> {
    const limit = query.limit ?? 50;
    const params: unknown[] = [context.workspaceId];
    const where = ['c.workspace_id = $1'];
    if (query.email) {
      params.push(query.email.trim());
      where.push(`lower(c.email) = lower($${params.length})`);
    }
    if (query.listId) {
      params.push(query.listId);
      where.push(`exists (select 1 from membership m where m.contact_id = c.id and m.list_id = $${params.length})`);
    }
    if (query.tag) {
      params.push(query.tag);
      where.push(`exists (select 1 from contact_tag ct join tag t on t.id = ct.tag_id where ct.contact_id = c.id and lower(t.name) = lower($${params.length}))`);
    }
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor) throw new DomainError(ErrorCode.ValidationFailed, 'invalid cursor', { errors: [{ path: 'cursor', message: 'is not a cursor returned by this API' }] });
      params.push(cursor[0], cursor[1]);
      where.push(`(c.created_at, c.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows = await this.ds.query(`${CONTACT_VIEW_SQL} where ${where.join(' and ')} order by c.created_at, c.id limit $${params.length}`, params);
    const items = rows.slice(0, limit).map(toContactView);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
  }

  private async applyMemberships(em: EntityManager, context: CommandContext, contactId: string, lists: { listId: string; status: string }[]): Promise<void> {
    for (const m of lists) {
      const found: unknown[] = await em.query('select 1 from list where workspace_id = $1 and id = $2', [context.workspaceId, m.listId]);
      if (!found.length) throw new DomainError(ErrorCode.NotFound, `list ${m.listId} not found`, { errors: [{ path: 'lists', message: `list ${m.listId} does not exist` }] });
      await em.query(
        `insert into membership (workspace_id, list_id, contact_id, status) values ($1, $2, $3, $4)
         on conflict (list_id, contact_id) do update set status = excluded.status, updated_at = now()`,
        [context.workspaceId, m.listId, contactId, m.status],
      );
    }
  }

  private async applyTags(em: EntityManager, workspaceId: string, contactId: string, tags: string[]): Promise<void> {
    for (const name of new Set(tags.map((t) => t.trim()).filter(Boolean))) {
      await em.query(`insert into tag (workspace_id, name) values ($1, $2) on conflict (workspace_id, lower(name)) do nothing`, [workspaceId, name]);
      await em.query(
        `insert into contact_tag (contact_id, tag_id)
         select $2, id from tag where workspace_id = $1 and lower(name) = lower($3) on conflict do nothing`,
        [workspaceId, contactId, name],
      );
    }
  }
}
