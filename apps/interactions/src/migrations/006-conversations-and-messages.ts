import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversations and messages as the messaging platform last reported them. Each row is the latest
 * version (by updated_at / status_at), so events that arrive twice or out of order change nothing.
 * Exports read them by time range; failed outbound messages have an index of their own.
 */
export class ConversationsAndMessages1763800002900 implements MigrationInterface {
  name = 'ConversationsAndMessages1763800002900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table conversation (
        workspace_id text not null,
        id uuid not null,
        contact_id uuid not null,
        channel text not null,
        status text not null check (status in ('open', 'closed')),
        assignee text,
        closed_by text,
        category text,
        opened_at timestamptz not null,
        first_response_at timestamptz,
        closed_at timestamptz,
        updated_at timestamptz not null,
        primary key (workspace_id, id)
      )`);
    await q.query('create index conversation_by_opened on conversation (workspace_id, opened_at)');
    await q.query(`
      create table message (
        workspace_id text not null,
        id uuid not null,
        conversation_id uuid,
        contact_id uuid not null,
        channel text not null,
        direction text not null check (direction in ('inbound', 'outbound')),
        program_id uuid,
        sender text,
        content_type text,
        text text,
        status text not null check (status in ('received', 'pending', 'sent', 'delivered', 'read', 'failed')),
        failure_reason text,
        at timestamptz not null,
        status_at timestamptz not null,
        primary key (workspace_id, id)
      )`);
    await q.query('create index message_by_at on message (workspace_id, at)');
    await q.query(`create index message_failed_by_at on message (workspace_id, at) where direction = 'outbound' and status = 'failed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table message');
    await q.query('drop table conversation');
  }
}
