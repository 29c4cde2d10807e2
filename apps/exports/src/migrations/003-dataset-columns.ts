import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns a data owner wrote, for the manifest. */
export class DatasetColumns1763800003200 implements MigrationInterface {
  name = 'DatasetColumns1763800003200';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table dataset_result add column columns text[]');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table dataset_result drop column columns');
  }
}
