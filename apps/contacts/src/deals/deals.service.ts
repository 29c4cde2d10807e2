import {
  dealChangedV1,
  DomainError,
  ErrorCode,
  MAX_DEAL_CONTACTS,
  validationFailed,
  type CommandContext,
  type CreateDealV1,
  type DealView,
  type ListDealsV1,
  type Page,
  type UpdateDealV1,
} from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { pageOf } from '../contacts/contact-queries.js';
import { requireContacts } from '../contacts/require-contacts.js';
import { keysetPageSql } from '@custodian/persistence';

interface DealRow {
  id: string;
  name: string;
  amount: string | null;
  stage: string | null;
  contacts: DealView['contacts'];
  createdAt: Date;
  cursorAt: string;
}

const DEAL_VIEW_SQL = `
  select d.id, d.name, d.amount, d.stage, d.created_at as "createdAt", d.created_at::text as "cursorAt",
         coalesce((select json_agg(json_build_object('contactId', dc.contact_id, 'isPrimary', dc.is_primary) order by dc.is_primary desc, dc.contact_id)
                   from deal_contact dc where dc.deal_id = d.id), '[]') as contacts
  from deal d`;

const toView = ({ cursorAt: _c, ...r }: DealRow): DealView => ({
  ...r,
  amount: r.amount === null ? null : Number(r.amount),
  createdAt: r.createdAt.toISOString(),
});

@Injectable()
export class DealsService {
  constructor(private readonly ds: DataSource) {}

  async create(context: CommandContext, input: CreateDealV1): Promise<DealView> {
    if (!input.contactIds.includes(input.primaryContactId)) {
      throw new DomainError(ErrorCode.DealPrimaryInvalid, 'primaryContactId must be one of contactIds', {
        errors: [{ path: 'primaryContactId', message: 'is not one of contactIds' }],
      });
    }
    return this.ds.transaction(async (em) => {
      await requireContacts(em, context.workspaceId, input.contactIds, 'contactIds');
      const [row] = (await em.query('insert into deal (workspace_id, name, amount, stage) values ($1, $2, $3, $4) returning id', [
        context.workspaceId,
        input.name.trim(),
        input.amount ?? null,
        input.stage ?? null,
      ])) as { id: string }[];
      await em.query('insert into deal_contact (deal_id, contact_id, is_primary) select $1, c, c = $3 from unnest($2::uuid[]) c on conflict do nothing', [
        row!.id,
        [...new Set(input.contactIds)],
        input.primaryContactId,
      ]);
      return this.changed(em, context, row!.id, 'created');
    });
  }

  async get(context: CommandContext, id: string, em: EntityManager = this.ds.manager): Promise<DealView> {
    const [row] = (await em.query(`${DEAL_VIEW_SQL} where d.workspace_id = $1 and d.id = $2`, [context.workspaceId, id])) as DealRow[];
    if (!row) throw new DomainError(ErrorCode.NotFound, `deal ${id} not found`);
    return toView(row);
  }

  async list(context: CommandContext, query: ListDealsV1): Promise<Page<DealView>> {
    const limit = query.limit ?? 50;
    const params: unknown[] = [context.workspaceId];
    const where = ['d.workspace_id = $1'];
    if (query.contactId) {
      params.push(query.contactId);
      where.push(`exists (select 1 from deal_contact dc where dc.deal_id = d.id and dc.contact_id = $${params.length})`);
    }
    const page = keysetPageSql(DEAL_VIEW_SQL, where, params, ['d.created_at', 'd.id'], { cursor: query.cursor, limit });
    const rows = (await this.ds.query(page.sql, page.params)) as DealRow[];
    return pageOf(rows, limit, toView);
  }

  async update(context: CommandContext, input: UpdateDealV1): Promise<DealView> {
    return this.ds.transaction(async (em) => {
      const [found] = (await em.query('select id from deal where workspace_id = $1 and id = $2 for update', [context.workspaceId, input.id])) as unknown[];
      if (!found) throw new DomainError(ErrorCode.NotFound, `deal ${input.id} not found`);
      await em.query('update deal set name = coalesce($2, name), amount = coalesce($3, amount), stage = coalesce($4, stage) where id = $1', [
        input.id,
        input.name?.trim() ?? null,
        input.amount ?? null,
        input.stage ?? null,
      ]);
      const contactCount = async () => ((await em.query('select count(*)::int as n from deal_contact where deal_id = $1', [input.id])) as [{ n: number }])[0].n;
      // A restore may have taken the deal past the cap: then a change may keep it there, not grow it.
      const allowed = input.addContactIds?.length ? Math.max(MAX_DEAL_CONTACTS, await contactCount()) : MAX_DEAL_CONTACTS;
      if (input.addContactIds?.length) {
        await requireContacts(em, context.workspaceId, input.addContactIds, 'addContactIds');
        await em.query('insert into deal_contact (deal_id, contact_id) select $1, unnest($2::uuid[]) on conflict do nothing', [input.id, input.addContactIds]);
      }
      if (input.removeContactIds?.length) {
        await em.query('delete from deal_contact where deal_id = $1 and contact_id = any($2::uuid[])', [input.id, input.removeContactIds]);
      }
      if (input.addContactIds?.length) {
        const n = await contactCount();
        if (n > allowed) throw validationFailed('addContactIds', `would give the deal ${n} contacts; a deal has at most ${MAX_DEAL_CONTACTS}`);
      }
      if (input.primaryContactId) {
        const [member] = (await em.query('select 1 from deal_contact where deal_id = $1 and contact_id = $2', [input.id, input.primaryContactId])) as unknown[];
        if (!member)
          throw new DomainError(ErrorCode.DealPrimaryInvalid, "the primary contact must be one of the deal's contacts", {
            errors: [{ path: 'primaryContactId', message: 'is not a contact of this deal' }],
          });
        await em.query('update deal_contact set is_primary = (contact_id = $2) where deal_id = $1', [input.id, input.primaryContactId]);
      }
      await ensureDealConsistent(em, input.id);
      return this.changed(em, context, input.id, 'updated');
    });
  }

  async delete(context: CommandContext, id: string): Promise<{ deleted: true }> {
    await this.ds.transaction(async (em) => {
      const view = await this.get(context, id, em);
      await em.query('delete from deal where workspace_id = $1 and id = $2', [context.workspaceId, id]);
      await recordEvent(em, dealChangedV1, context, {
        dealId: id,
        change: 'deleted',
        name: view.name,
        contactIds: view.contacts.map((c) => c.contactId),
        primaryContactId: null,
      });
    });
    return { deleted: true };
  }

  private async changed(em: EntityManager, context: CommandContext, id: string, change: 'created' | 'updated'): Promise<DealView> {
    const view = await this.get(context, id, em);
    await recordEvent(em, dealChangedV1, context, {
      dealId: id,
      change,
      name: view.name,
      contactIds: view.contacts.map((c) => c.contactId),
      primaryContactId: view.contacts.find((c) => c.isPrimary)?.contactId ?? null,
    });
    return view;
  }
}

/** A deal keeps at least one contact, and one of them is primary (the oldest link takes over). */
export async function ensureDealConsistent(em: EntityManager, dealId: string): Promise<void> {
  const [{ n, primaries }] = (await em.query(
    'select count(*)::int as n, count(*) filter (where is_primary)::int as primaries from deal_contact where deal_id = $1',
    [dealId],
  )) as { n: number; primaries: number }[] as [{ n: number; primaries: number }];
  if (n === 0)
    throw new DomainError(ErrorCode.DealPrimaryInvalid, 'a deal needs at least one contact', {
      errors: [{ path: 'removeContactIds', message: 'would leave the deal without contacts' }],
    });
  if (primaries === 0) {
    await em.query(
      `update deal_contact set is_primary = true where deal_id = $1 and contact_id = (select contact_id from deal_contact where deal_id = $1 order by contact_id limit 1)`,
      [dealId],
    );
  }
}
