import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The files of each ended import (the upload, its rejected and repaired rows), with when they are
 * removed: they copy personal data, so none of them is kept for ever.
 */
export class ImportFileRemovals1763800000700 implements MigrationInterface {
  name = 'ImportFileRemovals1763800000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table import_file_removal (
      job_id uuid primary key, workspace_id text not null, keys text[] not null, remove_after timestamptz not null)`);
    await q.query('create index import_file_removal_due on import_file_removal (remove_after)');
    // Imports that ended before: their files go 7 days (the default retention) after their end.
    await q.query(`insert into import_file_removal (job_id, workspace_id, keys, remove_after)
      select id, workspace_id,
             array_remove(array[case when params->>'source' is distinct from 'backups' then params->>'objectKey' end,
                                result->>'rejectsKey', result->>'repairsKey'], null),
             coalesce(finished_at, now()) + interval '7 days'
      from job where kind = 'import' and status not in ('queued', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table import_file_removal');
  }
}
