import type { EntityManager } from 'typeorm';

/** Records custom field names of a workspace (see CustomFieldNames1763800000400). */
export async function registerFields(em: EntityManager, workspaceId: string, names: Iterable<string>): Promise<void> {
  // Sorted: concurrent transactions take the same rows in the same order and never deadlock.
  const unique = [...new Set(names)].sort();
  if (!unique.length) return;
  await em.query('insert into custom_field (workspace_id, name) select $1, unnest($2::text[]) on conflict do nothing', [workspaceId, unique]);
}

/** The custom field names of a workspace, sorted. */
export async function fieldNames(em: EntityManager, workspaceId: string): Promise<string[]> {
  const rows = (await em.query('select name from custom_field where workspace_id = $1 order by name', [workspaceId])) as { name: string }[];
  return rows.map((r) => r.name);
}
