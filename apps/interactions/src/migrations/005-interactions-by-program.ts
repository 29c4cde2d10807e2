import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One partition of `interaction` per campaign or canvas. A program's data is then a table of its
 * own: expiry empties it with TRUNCATE instead of deleting row by row, a restore copies into it
 * with small indexes, and ingestion keeps one small primary-key index per program instead of one that
 * grows with the whole history. An id is unique within its program (a replayed event names the
 * same program as the original).
 */
export class InteractionsByProgram1763800002800 implements MigrationInterface {
  name = 'InteractionsByProgram1763800002800';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table interaction rename to interaction_unpartitioned');
    await q.query('create sequence interaction_seq');
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
        seq bigint not null default nextval('interaction_seq'),
        primary key (program_id, id)
      ) partition by list (program_id)`);
    await q.query('alter sequence interaction_seq owned by interaction.seq');
    await q.query('create index interaction_by_type on interaction (program_id, type, contact_id)');
    await q.query('create index interaction_of_contact on interaction (workspace_id, contact_id)');
    await q.query(`
      create function interaction_partition(program uuid) returns text language sql immutable
      as $$ select 'interaction_' || replace(program::text, '-', '') $$`);
    await q.query(`
      do $$ declare p record; begin
        for p in select id, workspace_id from program loop
          execute format('create table %I partition of interaction for values in (%L)', interaction_partition(p.id), p.id);
          execute format('alter table %I alter column workspace_id set default %L', interaction_partition(p.id), p.workspace_id);
        end loop;
      end $$`);
    await q.query(`insert into interaction (workspace_id, id, program_id, step_id, variant_id, control_group, contact_id, type, at, seq)
      select workspace_id, id, program_id, step_id, variant_id, control_group, contact_id, type, at, seq from interaction_unpartitioned`);
    await q.query(`select setval('interaction_seq', coalesce((select max(seq) from interaction), 0) + 1, false)`);
    await q.query('drop table interaction_unpartitioned');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('create table interaction_unpartitioned (like interaction including constraints)');
    await q.query('insert into interaction_unpartitioned select * from interaction');
    await q.query('drop table interaction');
    await q.query('drop function interaction_partition(uuid)');
    await q.query('alter table interaction_unpartitioned rename to interaction');
    await q.query('alter table interaction alter column control_group set default false');
    await q.query('alter table interaction alter column seq add generated always as identity');
    await q.query(`select setval(pg_get_serial_sequence('interaction', 'seq'), coalesce((select max(seq) from interaction), 0) + 1, false)`);
    await q.query('alter table interaction add primary key (workspace_id, id)');
    await q.query('create index interaction_by_program on interaction (program_id, type)');
    await q.query('create index interaction_by_contact on interaction (workspace_id, contact_id)');
    await q.query('create index interaction_by_program_seq on interaction (program_id, seq)');
  }
}
