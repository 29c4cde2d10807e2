import { DomainError, ErrorCode } from '@custodian/contracts';
import type { EntityManager } from 'typeorm';

/** Fails with NOT_FOUND naming each id that is not a contact of the workspace. */
export async function requireContacts(em: EntityManager, workspaceId: string, ids: string[], path: string): Promise<void> {
  const unique = [...new Set(ids)];
  const found = (await em.query('select id from contact where workspace_id = $1 and id = any($2::uuid[])', [workspaceId, unique])) as { id: string }[];
  const known = new Set(found.map((r) => r.id));
  const missing = ids.map((id, i) => ({ id, i })).filter(({ id }) => !known.has(id));
  if (missing.length) {
    throw new DomainError(ErrorCode.NotFound, `${missing.length} contact(s) not found`, {
      errors: missing.map(({ id, i }) => ({ path: `${path}.${i}`, message: `contact ${id} not found` })),
    });
  }
}
