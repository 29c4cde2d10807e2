import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom fields become definitions: a type, a creation time and an id (for pages of them), and
 * names unique regardless of case.
 * Names that differed only in case (`City`, `city`) are merged into the first by byte order, and
 * every contact's value moves to that name (where a contact held both, the kept name's value stays).
 */
export class FieldDefinitions1763800000500 implements MigrationInterface {
  name = 'FieldDefinitions1763800000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table custom_field
      add column type text not null default 'text' check (type in ('text', 'number', 'date')),
      add column created_at timestamptz not null default now(),
      add column id uuid not null default gen_random_uuid() unique`);
    await q.query(`create temp table field_rename on commit drop as
      select workspace_id, name as old_name,
             first_value(name) over (partition by workspace_id, lower(name) order by name collate "C") as new_name
      from custom_field`);
    await q.query('delete from field_rename where old_name = new_name');
    // One spelling per statement and contact: a contact holding three spellings takes two rounds.
    for (;;) {
      const [, moved] = (await q.query(`
        update contact c set fields = (c.fields - r.old_name)
               || case when c.fields ? r.new_name then '{}'::jsonb else jsonb_build_object(r.new_name, c.fields -> r.old_name) end
        from field_rename r where c.workspace_id = r.workspace_id and c.fields ? r.old_name`)) as [unknown, number];
      if (!moved) break;
    }
    await q.query('delete from custom_field f using field_rename r where f.workspace_id = r.workspace_id and f.name = r.old_name');
    await q.query('create unique index custom_field_name_key on custom_field (workspace_id, lower(name))');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop index custom_field_name_key');
    await q.query('alter table custom_field drop column type, drop column created_at, drop column id');
  }
}
