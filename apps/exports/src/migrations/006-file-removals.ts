import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files to remove from the exports bucket (of exports that ended without success): queued in the
 * transaction that ends the export, removed by the file sweeper, so ending an export never waits
 * on object storage and a removal that fails is tried again.
 */
export class FileRemovals1763800003700 implements MigrationInterface {
  name = 'FileRemovals1763800003700';

  async up(q: QueryRunner): Promise<void> {
    await q.query('create table file_removal (key text primary key, queued_at timestamptz not null default now())');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table file_removal');
  }
}
