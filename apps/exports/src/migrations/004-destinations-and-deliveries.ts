import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each workspace's allowlist of SFTP and WebDAV destinations (password encrypted), and the
 * delivery of a succeeded export to one of them, retried with backoff.
 */
export class DestinationsAndDeliveries1763800003300 implements MigrationInterface {
  name = 'DestinationsAndDeliveries1763800003300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table destination (
        id uuid primary key default gen_random_uuid(),
        workspace_id text not null,
        name text not null,
        kind text not null check (kind in ('sftp', 'webdav')),
        host text not null,
        port int not null check (port between 1 and 65535),
        path text not null,
        tls boolean not null default true,
        username text not null,
        secret text not null,
        created_by text not null,
        created_at timestamptz not null default now()
      )`);
    await q.query('create unique index destination_name on destination (workspace_id, lower(name))');
    await q.query(`
      create table delivery (
        job_id uuid primary key,
        workspace_id text not null,
        destination_id uuid not null,
        key text not null,
        manifest_key text not null,
        file_name text not null,
        status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
        attempts int not null default 0,
        next_attempt_at timestamptz not null default now(),
        last_error text,
        delivered_at timestamptz
      )`);
    await q.query(`create index delivery_due on delivery (next_attempt_at) where status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table delivery');
    await q.query('drop table destination');
  }
}
