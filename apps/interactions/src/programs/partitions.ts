import { sqlLiteral } from '@custodian/persistence';
import type { EntityManager } from 'typeorm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The table holding one program's interactions: a partition of `interaction` (as `interaction_partition(uuid)` in SQL). */
export function partitionOf(programId: string): string {
  if (!UUID.test(programId)) throw new Error(`not a program id: ${programId}`);
  return `interaction_${programId.replaceAll('-', '')}`;
}

/**
 * Adds the new program's partition. Built apart and attached, which locks `interaction` only
 * against other attaches, so ingestion and reads go on meanwhile. Its workspace_id and program_id
 * default to the program's, so a restore can COPY a segment (which carries neither) in.
 */
export async function addPartition(em: EntityManager, workspaceId: string, programId: string): Promise<void> {
  const table = partitionOf(programId);
  await em.query(`create table ${table} (like interaction including defaults including constraints)`);
  await em.query(`alter table ${table} alter column workspace_id set default ${sqlLiteral(workspaceId)}, alter column program_id set default '${programId}'`);
  await em.query(`alter table interaction attach partition ${table} for values in ('${programId}')`);
}
