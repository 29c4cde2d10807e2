import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox (events written with the business change, published after commit) and the inbox
 * (ids of events a consumer has handled). Every app lists this migration first; it creates the
 * tables in the app's own schema (the connection's search_path).
 */
export class MessagingTables1763800000000 implements MigrationInterface {
  name = 'MessagingTables1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table outbox (
        id uuid primary key,
        subject text not null,
        envelope jsonb not null,
        created_at timestamptz not null default clock_timestamp(),
        published_at timestamptz,
        attempts int not null default 0,
        last_error text
      )`);
    await q.query('create index outbox_unpublished on outbox (created_at) where published_at is null');
    await q.query(`
      create table inbox (
        consumer text not null,
        event_id uuid not null,
        subject text not null,
        handled_at timestamptz not null default now(),
        primary key (consumer, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table inbox');
    await q.query('drop table outbox');
  }
}
