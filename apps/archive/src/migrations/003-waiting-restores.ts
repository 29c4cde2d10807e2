import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Automatic restores that arrived while another restore ran: started when it ends. */
export class WaitingRestores1763800002300 implements MigrationInterface {
  name = 'WaitingRestores1763800002300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table waiting_restore (
        contact_id uuid primary key references archived_contact (contact_id) on delete cascade,
        workspace_id text not null,
        event_id uuid not null,
        waiting_since timestamptz not null default now()
      )`);
    await q.query('create index waiting_restore_by_workspace on waiting_restore (workspace_id, waiting_since)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table waiting_restore');
  }
}
