import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The expiry date a program was last warned about: a new date (after activity) is warned about again. */
export class ExpiryWarnings1763800002700 implements MigrationInterface {
  name = 'ExpiryWarnings1763800002700';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table program add column expiry_warned_for timestamptz');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table program drop column expiry_warned_for');
  }
}
