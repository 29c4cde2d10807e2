import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Campaigns and canvases (programs), and the interactions of contacts with them. */
export class InteractionsSchema1763800002400 implements MigrationInterface {
  name = 'InteractionsSchema1763800002400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table program (
        id uuid primary key default gen_random_uuid(),
        workspace_id text not null,
        kind text not null check (kind in ('campaign', 'canvas')),
        name text not null,
        tags text[] not null default '{}',
        status text not null default 'draft' check (status in ('draft', 'active', 'stopped')),
        steps jsonb not null default '[]',
        variants jsonb not null default '[]',
        retarget_program_ids uuid[] not null default '{}',
        retarget_tags text[] not null default '{}',
        created_at timestamptz not null default now(),
        started_at timestamptz,
        stopped_at timestamptz,
        last_activity_at timestamptz,
        interaction_data text not null default 'live' check (interaction_data in ('live', 'expired', 'restoring')),
        expired_at timestamptz
      )`);
    await q.query('create index program_page on program (workspace_id, kind, created_at, id)');
    await q.query("create index program_retargets on program using gin (retarget_program_ids) where status = 'active'");
    // Idempotent by id within a workspace: a replayed interaction is stored once.
    await q.query(`
      create table interaction (
        workspace_id text not null,
        id uuid not null,
        program_id uuid not null,
        step_id text,
        variant_id text,
        control_group boolean not null default false,
        contact_id uuid not null,
        type text not null check (type in ('received', 'opened', 'clicked', 'converted', 'bounced', 'failed')),
        at timestamptz not null,
        primary key (workspace_id, id)
      )`);
    await q.query('create index interaction_by_program on interaction (program_id, type)');
    await q.query('create index interaction_by_contact on interaction (workspace_id, contact_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table interaction');
    await q.query('drop table program');
  }
}
