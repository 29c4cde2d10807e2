import { boundedPage, decodeCursor, encodeCursor } from '@custodian/persistence';
import type { ContactView, Page } from '@custodian/contracts';
import type { EntityManager } from 'typeorm';

/** One contact with its memberships and tags, as the API shows it. */
export const CONTACT_VIEW_SQL = `
  select c.id, c.email, c.first_name as "firstName", c.last_name as "lastName", c.fields,
         c.created_at as "createdAt", c.updated_at as "updatedAt",
         coalesce((select json_agg(json_build_object('listId', m.list_id, 'status', m.status) order by m.list_id)
                   from membership m where m.contact_id = c.id), '[]') as lists,
         coalesce((select json_agg(t.name order by lower(t.name))
                   from contact_tag ct join tag t on t.id = ct.tag_id where ct.contact_id = c.id), '[]') as tags,
         c.created_at::text as "cursorAt"
  from contact c`;

interface ContactRow extends Omit<ContactView, 'createdAt' | 'updatedAt'> {
  createdAt: Date;
  updatedAt: Date;
  /** created_at at full (microsecond) precision, for cursors. */
  cursorAt: string;
}

export function toContactView({ cursorAt: _cursorAt, ...row }: ContactRow): ContactView {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

/** The page of `rows` (fetched with limit + 1), bounded in bytes too, and the cursor after its last item. */
export function pageOf<R extends { cursorAt: string; id: string }, V>(rows: R[], limit: number, view: (row: R) => V): Page<V> {
  return boundedPage(rows, limit, view, (last) => encodeCursor(last.cursorAt, last.id));
}

export async function findContact(em: EntityManager, workspaceId: string, id: string): Promise<ContactView | null> {
  const rows: ContactRow[] = await em.query(`${CONTACT_VIEW_SQL} where c.workspace_id = $1 and c.id = $2`, [workspaceId, id]);
  return rows[0] ? toContactView(rows[0]) : null;
}

export { decodeCursor, encodeCursor };
