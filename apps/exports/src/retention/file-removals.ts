import type { EntityManager } from 'typeorm';

/** Queues files of the exports bucket for removal in the caller's transaction; the file sweeper removes them. */
export async function queueFileRemoval(em: EntityManager, keys: string[]): Promise<void> {
  await em.query('insert into file_removal (key) select unnest($1::text[]) on conflict do nothing', [keys]);
}
