import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Memberships are written in bulk by imports, where the per-row foreign-key checks cost as much
 * as the inserts themselves. The import guarantees both ends (it creates the contacts in the same
 * transaction and holds the list locked), and every deletion of a contact or a list removes its
 * memberships explicitly (see `deleteMemberships`). The indexes stay.
 */
export class MembershipWithoutForeignKeys1763800000300 implements MigrationInterface {
  name = 'MembershipWithoutForeignKeys1763800000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table membership drop constraint membership_list_id_fkey');
    await q.query('alter table membership drop constraint membership_contact_id_fkey');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table membership add constraint membership_list_id_fkey foreign key (list_id) references list (id) on delete cascade');
    await q.query('alter table membership add constraint membership_contact_id_fkey foreign key (contact_id) references contact (id) on delete cascade');
  }
}
