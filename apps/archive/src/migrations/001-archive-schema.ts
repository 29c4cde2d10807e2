import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Archived contacts with their complete snapshots, merged ids, and the items of restore jobs. */
export class ArchiveSchema1763800002100 implements MigrationInterface {
  name = 'ArchiveSchema1763800002100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table archived_contact (
        contact_id uuid primary key,
        workspace_id text not null,
        email text not null,
        first_name text,
        last_name text,
        snapshot jsonb not null,
        list_ids uuid[] not null,
        tag_names text[] not null,
        archived_at timestamptz not null,
        archived_by text not null,
        reason text,
        restored_at timestamptz,
        restore_job_id uuid
      )`);
    await q.query('create index archived_by_date on archived_contact (workspace_id, archived_at, contact_id)');
    await q.query('create index archived_by_email on archived_contact (workspace_id, lower(email))');
    await q.query('create table merged_contact (contact_id uuid primary key, workspace_id text not null, merged_at timestamptz not null default now())');
    // The contacts of a restore job and what became of each (null: not done yet).
    await q.query(`
      create table restore_item (
        job_id uuid not null,
        contact_id uuid not null,
        email text not null,
        outcome text check (outcome in ('restored', 'conflict', 'skipped')),
        detail text,
        primary key (job_id, contact_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table restore_item');
    await q.query('drop table merged_contact');
    await q.query('drop table archived_contact');
  }
}
