import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each program's partition defaults program_id to its program: segments no longer carry the column, and a restore COPYs them straight in. */
export class PartitionProgramDefaults1763800003500 implements MigrationInterface {
  name = 'PartitionProgramDefaults1763800003500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      do $$ declare p record; begin
        for p in select id from program loop
          execute format('alter table %I alter column program_id set default %L', interaction_partition(p.id), p.id);
        end loop;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      do $$ declare p record; begin
        for p in select id from program loop
          execute format('alter table %I alter column program_id drop default', interaction_partition(p.id));
        end loop;
      end $$`);
  }
}
