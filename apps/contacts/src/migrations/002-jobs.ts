import { JobTables1763800000001 } from '@custodian/jobs';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The durable job table of the shared runner, in the contacts schema. */
export class ContactsJobs1763800000200 implements MigrationInterface {
  name = 'ContactsJobs1763800000200';
  private readonly tables = new JobTables1763800000001();

  up(q: QueryRunner): Promise<void> {
    return this.tables.up(q);
  }

  down(q: QueryRunner): Promise<void> {
    return this.tables.down(q);
  }
}
