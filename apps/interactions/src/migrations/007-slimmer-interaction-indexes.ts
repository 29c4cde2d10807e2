import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Within a program's partition the program id is the same on every row, so indexes need not
 * carry it, and one index on (type, contact) serves both audiences and a contact's received list
 * (which now names the workspace's programs, so it only visits their partitions). Fewer and
 * smaller indexes are what ingestion, expiry and restore spend their time on.
 */
export class SlimmerInteractionIndexes1763800003400 implements MigrationInterface {
  name = 'SlimmerInteractionIndexes1763800003400';

  async up(q: QueryRunner): Promise<void> {
    await q.query('drop index interaction_by_type');
    await q.query('drop index interaction_of_contact');
    await q.query('create index interaction_by_type_contact on interaction (type, contact_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop index interaction_by_type_contact');
    await q.query('create index interaction_by_type on interaction (program_id, type, contact_id)');
    await q.query('create index interaction_of_contact on interaction (workspace_id, contact_id)');
  }
}
