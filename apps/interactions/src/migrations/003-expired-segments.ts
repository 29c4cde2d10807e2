import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Expiry moves a program's interactions to object storage in segments. `seq` orders interactions
 * as they were stored, so an expiry takes exactly the rows up to a point and never one that
 * arrived while it ran.
 */
export class ExpiredSegments1763800002600 implements MigrationInterface {
  name = 'ExpiredSegments1763800002600';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table interaction add column seq bigint generated always as identity');
    await q.query('create index interaction_by_program_seq on interaction (program_id, seq)');
    await q.query(`
      create table expired_segment (
        id uuid primary key default gen_random_uuid(),
        workspace_id text not null,
        program_id uuid not null references program (id),
        object_key text not null,
        manifest_key text not null,
        rows bigint not null,
        bytes bigint not null,
        sha256 text not null,
        first_at timestamptz,
        last_at timestamptz,
        expired_at timestamptz not null default now(),
        restored_at timestamptz
      )`);
    await q.query('create index expired_segment_by_program on expired_segment (program_id, expired_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table expired_segment');
    await q.query('drop index interaction_by_program_seq');
    await q.query('alter table interaction drop column seq');
  }
}
