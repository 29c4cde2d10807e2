import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An account's contacts are counted for its view and paged through (contacts by accountId), so
 * the links are looked up by account as well as by contact.
 */
export class AccountContactsIndex1763800000600 implements MigrationInterface {
  name = 'AccountContactsIndex1763800000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query('create index contact_account_account on contact_account (account_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop index contact_account_account');
  }
}
