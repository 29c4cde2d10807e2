import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The SFTP host key fingerprint a destination requires: given when it is added, or kept from its first delivery. */
export class DestinationHostKeys1763800003600 implements MigrationInterface {
  name = 'DestinationHostKeys1763800003600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table destination add column host_key text check (host_key ~ '^SHA256:[A-Za-z0-9+/]{43}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table destination drop column host_key');
  }
}
