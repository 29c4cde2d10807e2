import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable jobs (DESIGN §5). The limits live in the database: a partial unique index allows one
 * queued-or-running job per (workspace, concurrency key), another makes idempotency keys unique.
 */
export class JobTables1763800000001 implements MigrationInterface {
  name = 'JobTables1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table job (
        id uuid primary key default gen_random_uuid(),
        workspace_id text not null,
        kind text not null,
        status text not null default 'queued'
          check (status in ('queued', 'running', 'succeeded', 'failed', 'discarded', 'expired', 'cancelled')),
        params jsonb not null default '{}',
        progress_done bigint not null default 0,
        progress_total bigint,
        requested_by text not null,
        requested_at timestamptz not null default now(),
        started_at timestamptz,
        finished_at timestamptz,
        expires_at timestamptz,
        lease_owner text,
        lease_expires_at timestamptz,
        attempts int not null default 0,
        max_attempts int not null default 3,
        timeout_ms bigint,
        timeout_at timestamptz,
        result jsonb,
        error_code text,
        error_message text,
        concurrency_key text,
        idempotency_key text,
        correlation_id text
      )`);
    await q.query(`create unique index job_one_active_per_key on job (workspace_id, concurrency_key)
                   where status in ('queued', 'running') and concurrency_key is not null`);
    await q.query(`create unique index job_idempotency on job (workspace_id, kind, idempotency_key) where idempotency_key is not null`);
    await q.query(`create index job_claimable on job (requested_at) where status in ('queued', 'running')`);
    await q.query('create index job_workspace on job (workspace_id, requested_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table job');
  }
}

/**
 * The job table as a migration of an app's own, named in the app's sequence, e.g.
 * `export const ContactsJobs = jobTablesMigration('ContactsJobs1763800000200')`.
 */
export function jobTablesMigration(name: string): new () => MigrationInterface {
  return class implements MigrationInterface {
    name = name;
    private readonly tables = new JobTables1763800000001();
    up(q: QueryRunner): Promise<void> {
      return this.tables.up(q);
    }
    down(q: QueryRunner): Promise<void> {
      return this.tables.down(q);
    }
  };
}
