import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The backup policy of each workspace and the catalog of list backups. */
export class BackupsSchema1763800001100 implements MigrationInterface {
  name = 'BackupsSchema1763800001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table backup_policy (
        workspace_id text primary key,
        automatic_backups boolean not null,
        excluded_list_ids uuid[] not null default '{}',
        updated_by text not null,
        updated_at timestamptz not null
      )`);
    await q.query(`
      create table backup (
        id uuid primary key,
        workspace_id text not null,
        list_id uuid not null,
        list_name text not null,
        reason text not null check (reason in ('import', 'deletion')),
        requested_by text not null,
        cause_origin text not null,
        job_id uuid,
        bucket text not null,
        object_key text not null,
        rows bigint not null,
        bytes bigint not null,
        sha256 text not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null
      )`);
    await q.query('create index backup_by_list on backup (workspace_id, list_id, created_at desc)');
    await q.query('create index backup_by_date on backup (workspace_id, created_at desc)');
    await q.query('create index backup_expiry on backup (expires_at)');
    // What remains of a backup retention removed: enough to answer "gone" instead of "not found".
    await q.query(`
      create table expired_backup (
        id uuid primary key,
        workspace_id text not null,
        expired_at timestamptz not null default now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table expired_backup');
    await q.query('drop table backup');
    await q.query('drop table backup_policy');
  }
}
