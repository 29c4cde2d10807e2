/** What selects contacts of a workspace: every criterion given must hold. */
export interface ContactFilter {
  /** One email, case-insensitive. */
  email?: string;
  /** Any of these emails, case-insensitive. */
  emails?: string[];
  /** Members of the list, whatever their status. */
  listId?: string;
  /** Tagged with this tag (by name, case-insensitive). */
  tag?: string;
  /** Linked to the account. */
  accountId?: string;
}

/**
 * The conditions on `c` (contact) of a filter, scoped to the workspace, with their parameters;
 * more conditions can be pushed after them, numbered from `params.length + 1`.
 */
export function contactFilterSql(workspaceId: string, filter: ContactFilter): { where: string[]; params: unknown[] } {
  const params: unknown[] = [workspaceId];
  const where = ['c.workspace_id = $1'];
  if (filter.email) {
    params.push(filter.email.trim());
    where.push(`lower(c.email) = lower($${params.length})`);
  }
  if (filter.emails?.length) {
    params.push(filter.emails.map((e) => e.toLowerCase()));
    where.push(`lower(c.email) = any($${params.length}::text[])`);
  }
  if (filter.listId) {
    params.push(filter.listId);
    where.push(`exists (select 1 from membership m where m.contact_id = c.id and m.list_id = $${params.length})`);
  }
  if (filter.tag) {
    params.push(filter.tag);
    where.push(`exists (select 1 from contact_tag ct join tag t on t.id = ct.tag_id where ct.contact_id = c.id and lower(t.name) = lower($${params.length}))`);
  }
  if (filter.accountId) {
    params.push(filter.accountId);
    where.push(`exists (select 1 from contact_account ca where ca.contact_id = c.id and ca.account_id = $${params.length})`);
  }
  return { where, params };
}
