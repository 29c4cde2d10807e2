import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The live contact data of every workspace. Emails are unique per workspace, case-insensitively. */
export class ContactsSchema1763800000100 implements MigrationInterface {
  name = 'ContactsSchema1763800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table contact (
        id uuid primary key default gen_random_uuid(),
        workspace_id text not null,
        email text not null,
        first_name text,
        last_name text,
        fields jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    await q.query('create unique index contact_email_unique on contact (workspace_id, lower(email))');
    await q.query('create index contact_page on contact (workspace_id, created_at, id)');

    await q.query(`
      create table list (
        id uuid primary key default gen_random_uuid(),
        workspace_id text not null,
        name text not null,
        created_at timestamptz not null default now()
      )`);
    await q.query('create unique index list_name_unique on list (workspace_id, lower(name))');

    await q.query(`
      create table membership (
        workspace_id text not null,
        list_id uuid not null references list (id) on delete cascade,
        contact_id uuid not null references contact (id) on delete cascade,
        status text not null check (status in ('subscribed', 'unsubscribed', 'bounced', 'unconfirmed')),
        updated_at timestamptz not null default now(),
        primary key (list_id, contact_id)
      )`);
    await q.query('create index membership_contact on membership (contact_id)');

    await q.query(`
      create table tag (
        id uuid primary key default gen_random_uuid(),
        workspace_id text not null,
        name text not null,
        created_at timestamptz not null default now()
      )`);
    await q.query('create unique index tag_name_unique on tag (workspace_id, lower(name))');
    await q.query(`
      create table contact_tag (
        contact_id uuid not null references contact (id) on delete cascade,
        tag_id uuid not null references tag (id) on delete cascade,
        primary key (contact_id, tag_id)
      )`);
    await q.query('create index contact_tag_tag on contact_tag (tag_id)');

    await q.query(`
      create table account (
        id uuid primary key default gen_random_uuid(),
        workspace_id text not null,
        name text not null,
        domain text,
        created_at timestamptz not null default now()
      )`);
    await q.query(`
      create table contact_account (
        contact_id uuid not null references contact (id) on delete cascade,
        account_id uuid not null references account (id) on delete cascade,
        primary key (contact_id, account_id)
      )`);

    await q.query(`
      create table deal (
        id uuid primary key default gen_random_uuid(),
        workspace_id text not null,
        name text not null,
        amount numeric(14, 2),
        stage text,
        created_at timestamptz not null default now()
      )`);
    await q.query(`
      create table deal_contact (
        deal_id uuid not null references deal (id) on delete cascade,
        contact_id uuid not null references contact (id) on delete cascade,
        is_primary boolean not null default false,
        primary key (deal_id, contact_id)
      )`);
    await q.query('create unique index deal_one_primary on deal_contact (deal_id) where is_primary');
    await q.query('create index deal_contact_contact on deal_contact (contact_id)');

    // Merged duplicates are gone for good; the tombstone lets the archive refuse to restore them.
    await q.query(`
      create table merged_contact (
        contact_id uuid primary key,
        workspace_id text not null,
        merged_into uuid not null,
        email text not null,
        merged_at timestamptz not null default now()
      )`);

    // Contacts' copy of the backup policy that the backups service owns and publishes.
    await q.query(`
      create table backup_policy (
        workspace_id text primary key,
        automatic_backups boolean not null,
        excluded_list_ids uuid[] not null default '{}',
        updated_at timestamptz not null
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'backup_policy',
      'merged_contact',
      'deal_contact',
      'deal',
      'contact_account',
      'account',
      'contact_tag',
      'tag',
      'membership',
      'list',
      'contact',
    ]) {
      await q.query(`drop table ${t}`);
    }
  }
}
