import {
  accountChangedV1,
  DomainError,
  ErrorCode,
  type AccountView,
  type CommandContext,
  type CreateAccountV1,
  type Page,
  type PageQuery,
  type UpdateAccountV1,
} from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { pageOf } from '../contacts/contact-queries.js';
import { requireContacts } from '../contacts/require-contacts.js';
import { keysetPageSql } from '@custodian/persistence';

interface AccountRow {
  id: string;
  name: string;
  domain: string | null;
  contactIds: string[];
  createdAt: Date;
  cursorAt: string;
}

const ACCOUNT_VIEW_SQL = `
  select a.id, a.name, a.domain, a.created_at as "createdAt", a.created_at::text as "cursorAt",
         coalesce((select array_agg(ca.contact_id order by ca.contact_id) from contact_account ca where ca.account_id = a.id), '{}') as "contactIds"
  from account a`;

const toView = ({ cursorAt: _c, ...r }: AccountRow): AccountView => ({ ...r, createdAt: r.createdAt.toISOString() });

@Injectable()
export class AccountsService {
  constructor(private readonly ds: DataSource) {}

  async create(context: CommandContext, input: CreateAccountV1): Promise<AccountView> {
    return this.ds.transaction(async (em) => {
      const [row] = (await em.query('insert into account (workspace_id, name, domain) values ($1, $2, $3) returning id', [
        context.workspaceId,
        input.name.trim(),
        input.domain ?? null,
      ])) as { id: string }[];
      await this.link(em, context, row!.id, input.contactIds ?? []);
      return this.changed(em, context, row!.id, 'created');
    });
  }

  async get(context: CommandContext, id: string, em: EntityManager = this.ds.manager): Promise<AccountView> {
    const [row] = (await em.query(`${ACCOUNT_VIEW_SQL} where a.workspace_id = $1 and a.id = $2`, [context.workspaceId, id])) as AccountRow[];
    if (!row) throw new DomainError(ErrorCode.NotFound, `account ${id} not found`);
    return toView(row);
  }

  async list(context: CommandContext, query: PageQuery): Promise<Page<AccountView>> {
    const limit = query.limit ?? 50;
    const page = keysetPageSql(ACCOUNT_VIEW_SQL, ['a.workspace_id = $1'], [context.workspaceId], ['a.created_at', 'a.id'], { cursor: query.cursor, limit });
    const rows = (await this.ds.query(page.sql, page.params)) as AccountRow[];
    return pageOf(rows, limit, toView);
  }

  async update(context: CommandContext, input: UpdateAccountV1): Promise<AccountView> {
    return this.ds.transaction(async (em) => {
      const [found] = (await em.query('select id from account where workspace_id = $1 and id = $2 for update', [context.workspaceId, input.id])) as unknown[];
      if (!found) throw new DomainError(ErrorCode.NotFound, `account ${input.id} not found`);
      if (input.name !== undefined || input.domain !== undefined) {
        await em.query('update account set name = coalesce($2, name), domain = coalesce($3, domain) where id = $1', [
          input.id,
          input.name?.trim() ?? null,
          input.domain ?? null,
        ]);
      }
      await this.link(em, context, input.id, input.addContactIds ?? []);
      if (input.removeContactIds?.length) {
        await em.query('delete from contact_account where account_id = $1 and contact_id = any($2::uuid[])', [input.id, input.removeContactIds]);
      }
      return this.changed(em, context, input.id, 'updated');
    });
  }

  async delete(context: CommandContext, id: string): Promise<{ deleted: true }> {
    await this.ds.transaction(async (em) => {
      const view = await this.get(context, id, em);
      await em.query('delete from account where workspace_id = $1 and id = $2', [context.workspaceId, id]);
      await recordEvent(em, accountChangedV1, context, { accountId: id, change: 'deleted', name: view.name, contactIds: view.contactIds });
    });
    return { deleted: true };
  }

  private async link(em: EntityManager, context: CommandContext, accountId: string, contactIds: string[]): Promise<void> {
    if (!contactIds.length) return;
    await requireContacts(em, context.workspaceId, contactIds, 'contactIds');
    await em.query('insert into contact_account (contact_id, account_id) select unnest($2::uuid[]), $1 on conflict do nothing', [
      accountId,
      [...new Set(contactIds)],
    ]);
  }

  private async changed(em: EntityManager, context: CommandContext, id: string, change: 'created' | 'updated'): Promise<AccountView> {
    const view = await this.get(context, id, em);
    await recordEvent(em, accountChangedV1, context, { accountId: id, change, name: view.name, contactIds: view.contactIds });
    return view;
  }
}
