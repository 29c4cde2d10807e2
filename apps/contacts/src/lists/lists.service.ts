import {
  DomainError,
  ErrorCode,
  listCreatedV1,
  listDeletedV1,
  membershipChangedV1,
  type CommandContext,
  type ListMembersV1,
  type ListView,
  type MemberView,
  type Page,
  type PageQuery,
  type SetMembershipV1,
  invalidCursor,
} from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { decodeCursor, pageOf } from '../contacts/contact-queries.js';
import { deleteMemberships } from '../contacts/delete-memberships.js';
import { keysetPageSql } from '@custodian/persistence';

interface ListRow {
  id: string;
  name: string;
  memberCount: number;
  createdAt: Date;
  cursorAt: string;
}

const LIST_VIEW_SQL = `
  select l.id, l.name, l.created_at as "createdAt", l.created_at::text as "cursorAt",
         (select count(*)::int from membership m where m.list_id = l.id) as "memberCount"
  from list l`;

function toListView({ cursorAt: _cursorAt, ...row }: ListRow): ListView {
  return { ...row, createdAt: row.createdAt.toISOString() };
}

/** Statuses of members who opted out (or whose address bounced): never made subscribed or unconfirmed again without consent. */
const OPTED_OUT = new Set(['unsubscribed', 'bounced']);

@Injectable()
export class ListsService {
  constructor(private readonly ds: DataSource) {}

  async create(context: CommandContext, name: string): Promise<ListView> {
    const id = await this.ds.transaction(async (em) => {
      const [row] = (await em.query(`insert into list (workspace_id, name) values ($1, $2) on conflict (workspace_id, lower(name)) do nothing returning id`, [
        context.workspaceId,
        name.trim(),
      ])) as { id: string }[];
      if (!row) throw new DomainError(ErrorCode.ListNameTaken, `a list named "${name.trim()}" already exists in this workspace`);
      await recordEvent(em, listCreatedV1, context, { listId: row.id, name: name.trim() });
      return row.id;
    });
    return this.get(context, id);
  }

  async get(context: CommandContext, id: string, em: EntityManager = this.ds.manager): Promise<ListView> {
    const [row] = (await em.query(`${LIST_VIEW_SQL} where l.workspace_id = $1 and l.id = $2`, [context.workspaceId, id])) as ListRow[];
    if (!row) throw new DomainError(ErrorCode.NotFound, `list ${id} not found`);
    return toListView(row);
  }

  async list(context: CommandContext, query: PageQuery): Promise<Page<ListView>> {
    const limit = query.limit ?? 50;
    const page = keysetPageSql(LIST_VIEW_SQL, ['l.workspace_id = $1'], [context.workspaceId], ['l.created_at', 'l.id'], { cursor: query.cursor, limit });
    const rows = (await this.ds.query(page.sql, page.params)) as ListRow[];
    return pageOf(rows, limit, toListView);
  }

  /**
   * Deletes a list and its memberships; the contacts stay. `beforeDelete` runs first, inside the
   * transaction that holds the list locked (the back office's backup snapshot hooks in there).
   */
  async delete(
    context: CommandContext,
    id: string,
    beforeDelete?: (em: EntityManager, list: ListView) => Promise<string | undefined>,
  ): Promise<{ deleted: true; snapshotId: string | null }> {
    return this.ds.transaction(async (em) => {
      const locked = (await em.query('select id from list where workspace_id = $1 and id = $2 for update', [context.workspaceId, id])) as unknown[];
      if (!locked.length) throw new DomainError(ErrorCode.NotFound, `list ${id} not found`);
      const list = await this.get(context, id, em);
      const snapshotId = beforeDelete ? await beforeDelete(em, list) : undefined;
      await em.query('delete from list where workspace_id = $1 and id = $2', [context.workspaceId, id]);
      await deleteMemberships(em, { listId: id });
      await recordEvent(em, listDeletedV1, context, { listId: id, name: list.name, memberCount: list.memberCount, snapshotId });
      return { deleted: true, snapshotId: snapshotId ?? null };
    });
  }

  async members(context: CommandContext, query: ListMembersV1): Promise<Page<MemberView>> {
    await this.get(context, query.listId);
    const limit = query.limit ?? 50;
    const params: unknown[] = [context.workspaceId, query.listId];
    const where = ['m.workspace_id = $1', 'm.list_id = $2'];
    if (query.status) {
      params.push(query.status);
      where.push(`m.status = $${params.length}`);
    }
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor) throw invalidCursor();
      params.push(cursor[1]);
      where.push(`m.contact_id > $${params.length}::uuid`);
    }
    params.push(limit + 1);
    const rows = (await this.ds.query(
      `select m.contact_id as "contactId", c.email, c.first_name as "firstName", c.last_name as "lastName", m.status, m.updated_at as "updatedAt"
       from membership m join contact c on c.id = m.contact_id
       where ${where.join(' and ')} order by m.contact_id limit $${params.length}`,
      params,
    )) as (Omit<MemberView, 'updatedAt'> & { updatedAt: Date })[];
    // Members are paged by contact id alone; the cursor's time part is unused.
    return pageOf(
      rows.map((r) => ({ ...r, id: r.contactId, cursorAt: r.updatedAt.toISOString() })),
      limit,
      ({ id: _id, cursorAt: _at, ...r }) => ({ ...r, updatedAt: r.updatedAt.toISOString() }),
    );
  }

  /**
   * The never-reactivate rule: nobody who unsubscribed or bounced becomes subscribed or unconfirmed
   * again, unless an owner or admin records the person's consent. Refuses the whole request, naming
   * every member it protects.
   */
  private refuseReactivation(context: CommandContext, input: SetMembershipV1, statusOf: Map<string, string>): void {
    // In the request's order, as the changes are made: a member unsubscribed earlier in the same request counts too.
    const status = new Map(statusOf);
    const reactivated: { m: SetMembershipV1['members'][number]; i: number; was: string }[] = [];
    input.members.forEach((m, i) => {
      const was = status.get(m.contactId) ?? '';
      if (OPTED_OUT.has(was) && !OPTED_OUT.has(m.status)) reactivated.push({ m, i, was });
      status.set(m.contactId, m.status);
    });
    if (!reactivated.length) return;
    const role = context.actor.role;
    if (input.consent && (role === 'owner' || role === 'admin')) return;
    throw new DomainError(
      ErrorCode.OptOutProtected,
      input.consent
        ? `only owners and admins may subscribe again members who unsubscribed or bounced (the caller is ${role ?? 'a service'})`
        : `${reactivated.length} member(s) unsubscribed or bounced; an owner or admin subscribes them again only with the person's consent`,
      {
        errors: reactivated.map(({ m, i, was }) => ({ path: `members.${i}.status`, message: `contact ${m.contactId} is ${was}; ${m.status} needs consent` })),
      },
    );
  }

  async setMembership(context: CommandContext, input: SetMembershipV1): Promise<{ changed: number }> {
    return this.ds.transaction(async (em) => {
      const locked = (await em.query('select id from list where workspace_id = $1 and id = $2 for share', [context.workspaceId, input.listId])) as unknown[];
      if (!locked.length) throw new DomainError(ErrorCode.NotFound, `list ${input.listId} not found`);
      const ids = [...new Set(input.members.map((m) => m.contactId))];
      const found = (await em.query('select id from contact where workspace_id = $1 and id = any($2::uuid[])', [context.workspaceId, ids])) as { id: string }[];
      const known = new Set(found.map((r) => r.id));
      const missing = input.members.map((m, i) => ({ m, i })).filter(({ m }) => !known.has(m.contactId));
      if (missing.length) {
        throw new DomainError(ErrorCode.NotFound, `${missing.length} contact(s) not found`, {
          errors: missing.map(({ m, i }) => ({ path: `members.${i}.contactId`, message: `contact ${m.contactId} not found` })),
        });
      }
      const previous = (await em.query('select contact_id, status from membership where list_id = $1 and contact_id = any($2::uuid[]) for update', [
        input.listId,
        ids,
      ])) as { contact_id: string; status: string }[];
      const statusOf = new Map(previous.map((p) => [p.contact_id, p.status]));
      this.refuseReactivation(context, input, statusOf);
      let changed = 0;
      for (const m of input.members) {
        const prev = statusOf.has(m.contactId) ? { status: statusOf.get(m.contactId)! } : undefined;
        if (prev?.status === m.status) continue;
        statusOf.set(m.contactId, m.status);
        await em.query(
          `insert into membership (workspace_id, list_id, contact_id, status) values ($1, $2, $3, $4)
           on conflict (list_id, contact_id) do update set status = excluded.status, updated_at = now()`,
          [context.workspaceId, input.listId, m.contactId, m.status],
        );
        await recordEvent(em, membershipChangedV1, context, {
          listId: input.listId,
          contactId: m.contactId,
          status: m.status,
          previousStatus: (prev?.status ?? null) as never,
          ...(input.consent && OPTED_OUT.has(prev?.status ?? '') ? { consent: input.consent } : {}),
        });
        changed += 1;
      }
      return { changed };
    });
  }
}
