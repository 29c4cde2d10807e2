import { contactRestoredV1, ErrorCode, type CommandContext } from '@custodian/contracts';
import { recordEventsOf } from '@custodian/messaging';
import type { EntityManager } from 'typeorm';
import type { FieldDefinitions } from '../fields/field-definitions.js';

/** Where the snapshots of a restore wait, one jsonb per contact, for the set-based statements below. */
export async function createRestoreStage(em: EntityManager): Promise<void> {
  await em.query('create temp table restore_stage (snapshot jsonb not null) on commit drop');
}

export interface RestoredRow {
  contact_id: string;
  code: string | null;
  message: string | null;
  skipped: string;
}

/**
 * Restores every contact staged in `restore_stage`, in the caller's transaction, with a few
 * statements whatever the count. The rules: a merged contact never comes back; one
 * already live is reported, not touched; an email a live contact now uses is a conflict; lists,
 * tags, accounts and deals come back unless deleted since, deals never as primary; the original
 * created date is kept. Leaves each contact's outcome in `restore_outcome`.
 */
export async function restoreStaged(em: EntityManager, context: CommandContext, fields: FieldDefinitions): Promise<{ contacts: number; restored: number }> {
  const ws = context.workspaceId;
  await decideOutcomes(em, ws, fields);
  await restoreLinks(em, ws);
  await recordWhatStaysGone(em, ws);
  const restored = await recordEventsOf(
    em,
    contactRestoredV1,
    { ...context, origin: 'restore' },
    `select jsonb_build_object('contactId', contact_id, 'email', snapshot->>'email',
       'skipped', coalesce(to_jsonb(string_to_array(nullif(skipped, ''), ' ')), '[]'::jsonb)) as data
     from restore_outcome where restored order by contact_id`,
  );
  const [{ n }] = (await em.query('select count(*)::int as n from restore_outcome')) as [{ n: number }];
  return { contacts: n, restored };
}

/** Each staged contact's outcome in `restore_outcome`: merged, already live, restored, or its email in use; restored ones are inserted. */
async function decideOutcomes(em: EntityManager, ws: string, fields: FieldDefinitions): Promise<void> {
  await em.query(`create temp table restore_outcome on commit drop as
    select (snapshot->>'contactId')::uuid as contact_id, snapshot, null::text as code, null::text as message,
           false as restored, ''::text as skipped
    from restore_stage`);
  await em.query('alter table restore_outcome add primary key (contact_id)');
  await em.query(
    `update restore_outcome r set code = $2, message = 'contact ' || r.contact_id || ' was merged into another contact and cannot be restored'
    from merged_contact m where m.workspace_id = $1 and m.contact_id = r.contact_id`,
    [ws, ErrorCode.ContactMerged],
  );
  await em.query(
    `update restore_outcome r set code = $1, message = 'contact ' || r.contact_id || ' is already in the live data'
    where r.code is null and exists (select 1 from contact c where c.id = r.contact_id)`,
    [ErrorCode.ContactExists],
  );
  await useDefinedFieldNames(em, ws, fields);
  await em.query(
    `with inserted as (
      insert into contact (id, workspace_id, email, first_name, last_name, fields, created_at)
      select r.contact_id, $1, r.snapshot->>'email', r.snapshot->>'firstName', r.snapshot->>'lastName',
             coalesce(r.snapshot->'fields', '{}'::jsonb), (r.snapshot->>'createdAt')::timestamptz
      from restore_outcome r where r.code is null
      -- In email order: batches restored side by side wait on each other's emails, never in a circle.
      order by lower(r.snapshot->>'email')
      on conflict (workspace_id, lower(email)) do nothing returning id)
    update restore_outcome r set restored = true from inserted i where i.id = r.contact_id`,
    [ws],
  );
  await em.query(
    `update restore_outcome r set code = $1, message = 'another live contact already uses ' || (r.snapshot->>'email')
    where r.code is null and not r.restored`,
    [ErrorCode.EmailInUse],
  );
}

/**
 * The custom fields of the contacts about to come back, under the names the workspace defines
 * now (compared ignoring case); names it no longer defines are defined again, past the
 * workspace's limit if need be (a restore brings back what was there).
 */
async function useDefinedFieldNames(em: EntityManager, ws: string, fields: FieldDefinitions): Promise<void> {
  const names = (
    (await em.query(`select distinct jsonb_object_keys(snapshot->'fields') as name from restore_outcome
      where code is null and jsonb_typeof(snapshot->'fields') = 'object'`)) as { name: string }[]
  ).map((r) => r.name);
  const defined = await fields.resolve(em, ws, names, 'restore');
  const renamed = [...defined].filter(([name, field]) => name !== field.name);
  if (!renamed.length) return;
  // One statement for all of them. Where a snapshot holds both spellings, the defined one's value
  // stays: jsonb_object_agg keeps the last value of a key, and those entries come last.
  await em.query(
    `update restore_outcome r set snapshot = jsonb_set(r.snapshot, '{fields}', (
       select jsonb_object_agg(coalesce(m.defined, e.key), e.value order by m.defined is null)
       from jsonb_each(r.snapshot->'fields') e left join unnest($1::text[], $2::text[]) m(given, defined) on m.given = e.key))
     where r.code is null and r.snapshot->'fields' ?| $1::text[]`,
    [renamed.map(([name]) => name), renamed.map(([, field]) => field.name)],
  );
}

/** The restored contacts' lists, tags, accounts and deals, where they still exist. */
async function restoreLinks(em: EntityManager, ws: string): Promise<void> {
  await em.query(
    `insert into membership (workspace_id, list_id, contact_id, status)
    select $1, l.id, r.contact_id, m->>'status'
    from restore_outcome r cross join lateral jsonb_array_elements(r.snapshot->'memberships') m
    join list l on l.workspace_id = $1 and l.id = (m->>'listId')::uuid
    where r.restored on conflict do nothing`,
    [ws],
  );
  await em.query(
    `insert into contact_tag (contact_id, tag_id)
    select r.contact_id, t.id from restore_outcome r cross join lateral jsonb_array_elements(r.snapshot->'tags') x
    join tag t on t.workspace_id = $1 and t.id = (x->>'tagId')::uuid
    where r.restored on conflict do nothing`,
    [ws],
  );
  await em.query(
    `insert into contact_account (contact_id, account_id)
    select r.contact_id, a.id from restore_outcome r cross join lateral jsonb_array_elements(r.snapshot->'accounts') x
    join account a on a.workspace_id = $1 and a.id = (x->>'accountId')::uuid
    where r.restored on conflict do nothing`,
    [ws],
  );
  // Back on a deal, never as its primary contact; a deal deleted with the contact stays gone.
  await em.query(
    `insert into deal_contact (deal_id, contact_id, is_primary)
    select d.id, r.contact_id, false from restore_outcome r cross join lateral jsonb_array_elements(r.snapshot->'deals') x
    join deal d on d.workspace_id = $1 and d.id = (x->>'dealId')::uuid
    where r.restored and not coalesce((x->>'deletedWithContact')::boolean, false) on conflict do nothing`,
    [ws],
  );
}

/**
 * What did not come back, per contact: `list:<id> tag:<id> account:<id> deal:<id>`. The links
 * that point at something gone are found once per batch, so a batch with none costs one scan.
 */
async function recordWhatStaysGone(em: EntityManager, ws: string): Promise<void> {
  await em.query(
    `create temp table restore_gone on commit drop as
    select kind, id from (
      select distinct 'list' as kind, x->>'listId' as id from restore_outcome r cross join lateral jsonb_array_elements(r.snapshot->'memberships') x where r.restored
      union select distinct 'tag', x->>'tagId' from restore_outcome r cross join lateral jsonb_array_elements(r.snapshot->'tags') x where r.restored
      union select distinct 'account', x->>'accountId' from restore_outcome r cross join lateral jsonb_array_elements(r.snapshot->'accounts') x where r.restored
      union select distinct 'deal', x->>'dealId' from restore_outcome r cross join lateral jsonb_array_elements(r.snapshot->'deals') x
        where r.restored and not coalesce((x->>'deletedWithContact')::boolean, false)) refs
    where not exists (select 1 from list l where refs.kind = 'list' and l.workspace_id = $1 and l.id = refs.id::uuid)
      and not exists (select 1 from tag t where refs.kind = 'tag' and t.workspace_id = $1 and t.id = refs.id::uuid)
      and not exists (select 1 from account a where refs.kind = 'account' and a.workspace_id = $1 and a.id = refs.id::uuid)
      and not exists (select 1 from deal d where refs.kind = 'deal' and d.workspace_id = $1 and d.id = refs.id::uuid)`,
    [ws],
  );
  await em.query(`update restore_outcome r set skipped = array_to_string(array(
      select 'list:' || (x->>'listId') from jsonb_array_elements(r.snapshot->'memberships') x
        where (x->>'listId') in (select id from restore_gone where kind = 'list')
      union all select 'tag:' || (x->>'tagId') from jsonb_array_elements(r.snapshot->'tags') x
        where (x->>'tagId') in (select id from restore_gone where kind = 'tag')
      union all select 'account:' || (x->>'accountId') from jsonb_array_elements(r.snapshot->'accounts') x
        where (x->>'accountId') in (select id from restore_gone where kind = 'account')
      union all select 'deal:' || (x->>'dealId') from jsonb_array_elements(r.snapshot->'deals') x
        where coalesce((x->>'deletedWithContact')::boolean, false) or (x->>'dealId') in (select id from restore_gone where kind = 'deal')), ' ')
    where r.restored and (exists (select 1 from restore_gone) or r.snapshot @> '{"deals": [{"deletedWithContact": true}]}')`);
}

/** The outcomes, one row per contact, as `COPY` writes them (`contactId,code,message,skipped`). */
export const RESTORE_OUTCOMES_COPY = `copy (select contact_id as "contactId", code, message, skipped from restore_outcome order by contact_id)
  to stdout with (format csv, header true)`;
