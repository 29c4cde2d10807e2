import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exports are jobs of the shared job table (kind `export`: status, timestamps, validity, result).
 * Beside them: what the data owners reported for each dataset request, the notifications of
 * ended exports (retried with backoff), and each workspace's signing secret.
 */
export class ExportsSchema1763800003000 implements MigrationInterface {
  name = 'ExportsSchema1763800003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table dataset_result (
        request_id uuid primary key,
        workspace_id text not null,
        ok boolean not null,
        bucket text,
        key text,
        rows bigint,
        bytes bigint,
        sha256 text,
        code text,
        message text,
        received_at timestamptz not null default now()
      )`);
    await q.query(`
      create table notification (
        id uuid primary key default gen_random_uuid(),
        workspace_id text not null,
        job_id uuid not null unique,
        url text not null,
        payload jsonb not null,
        status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
        attempts int not null default 0,
        next_attempt_at timestamptz not null default now(),
        last_error text,
        delivered_at timestamptz
      )`);
    await q.query(`create index notification_due on notification (next_attempt_at) where status = 'pending'`);
    await q.query(`
      create table webhook_secret (
        workspace_id text primary key,
        secret text not null,
        created_at timestamptz not null default now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table webhook_secret');
    await q.query('drop table notification');
    await q.query('drop table dataset_result');
  }
}
