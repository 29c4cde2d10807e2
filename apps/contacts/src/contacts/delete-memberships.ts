import type { EntityManager } from 'typeorm';

/**
 * Removes the memberships of contacts or of a list. Memberships have no foreign keys (bulk imports
 * would pay for them row by row), so every deletion of a contact or a list calls this.
 */
export async function deleteMemberships(em: EntityManager, of: { contactIds: string[] } | { listId: string }): Promise<void> {
  if ('listId' in of) await em.query('delete from membership where list_id = $1', [of.listId]);
  else await em.query('delete from membership where contact_id = any($1::uuid[])', [of.contactIds]);
}
