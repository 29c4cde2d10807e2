import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The names of the custom fields used in each workspace, so list snapshots and datasets know
 * their columns without scanning every contact's fields first.
 */
export class CustomFieldNames1763800000400 implements MigrationInterface {
  name = 'CustomFieldNames1763800000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query('create table custom_field (workspace_id text not null, name text not null, primary key (workspace_id, name))');
    await q.query('insert into custom_field select distinct workspace_id, jsonb_object_keys(fields) from contact on conflict do nothing');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table custom_field');
  }
}
