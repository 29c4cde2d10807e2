import {
  ACCOUNT_CHANGED_V1_MAX_CONTACTS,
  accountChangedV1,
  accountChangedV2,
  DomainError,
  ErrorCode,
  type AccountView,
  type AccountViewV1,
  type CommandContext,
  type CreateAccountV2,
  type Page,
  type PageQuery,
  type UpdateAccountV2,
} from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { pageOf } from '../contacts/contact-queries.js';
import { requireContacts } from '../contacts/require-contacts.js';
import { keysetPageSql } from '@custodian/persistence';

/** The most contacts of an account a v1 answer carries (their ids fit well within one NATS message). */
const ACCOUNT_VIEW_V1_MAX_CONTACTS = 20_000;

interface AccountRow {
  id: string;
  name: string;
  domain: string | null;
  contactCount: number;
  createdAt: Date;
  cursorAt: string;
}

/** The account with how many contacts it has; the contacts themselves are paged (contacts.contact.list.v1 with accountId). */
const ACCOUNT_VIEW_SQL = `
  select a.id, a.name, a.domain, a.created_at as "createdAt", a.created_at::text as "cursorAt",
         (select count(*)::int from contact_account ca where ca.account_id = a.id) as "contactCount"
  from account a`;

const toView = ({ cursorAt: _c, ...r }: AccountRow): AccountView => ({ ...r, createdAt: r.createdAt.toISOString() });

interface AccountRowV1 extends Omit<AccountRow, 'contactCount'> {
  contactIds: string[];
}

/** The account as the deprecated v1 commands show it: with every linked contact's id. */
const ACCOUNT_VIEW_V1_SQL = `
  select a.id, a.name, a.domain, a.created_at as "createdAt", a.created_at::text as "cursorAt",
         coalesce((select array_agg(ca.contact_id order by ca.contact_id) from contact_account ca where ca.account_id = a.id), '{}') as "contactIds"
  from account a`;

const toViewV1 = ({ cursorAt: _c, ...r }: AccountRowV1): AccountViewV1 => ({ ...r, createdAt: r.createdAt.toISOString() });

/** What a change did to the links of an account. */
interface Links {
  linked: string[];
  unlinked: string[];
}

@Injectable()
export class AccountsService {
  constructor(private readonly ds: DataSource) {}

  create(context: CommandContext, input: CreateAccountV2): Promise<AccountView> {
    return this.ds.transaction((em) => this.createIn(em, context, input));
  }

  /** The deprecated v1 create: refused before anything is written when the answer could not carry the account. */
  createV1(context: CommandContext, input: CreateAccountV2): Promise<AccountViewV1> {
    return this.ds.transaction(async (em) => this.asV1(em, context, await this.createIn(em, context, input)));
  }

  private async createIn(em: EntityManager, context: CommandContext, input: CreateAccountV2): Promise<AccountView> {
    const [row] = (await em.query('insert into account (workspace_id, name, domain) values ($1, $2, $3) returning id', [
      context.workspaceId,
      input.name.trim(),
      input.domain ?? null,
    ])) as { id: string }[];
    const linked = await this.link(em, context, row!.id, input.contactIds ?? []);
    return this.changed(em, context, row!.id, 'created', { linked, unlinked: [] });
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

  update(context: CommandContext, input: UpdateAccountV2): Promise<AccountView> {
    return this.ds.transaction((em) => this.updateIn(em, context, input));
  }

  /** The deprecated v1 update: refused (and rolled back) when the answer could not carry the account. */
  updateV1(context: CommandContext, input: UpdateAccountV2): Promise<AccountViewV1> {
    return this.ds.transaction(async (em) => this.asV1(em, context, await this.updateIn(em, context, input)));
  }

  private async updateIn(em: EntityManager, context: CommandContext, input: UpdateAccountV2): Promise<AccountView> {
    const [found] = (await em.query('select id from account where workspace_id = $1 and id = $2 for update', [context.workspaceId, input.id])) as unknown[];
    if (!found) throw new DomainError(ErrorCode.NotFound, `account ${input.id} not found`);
    if (input.name !== undefined || input.domain !== undefined) {
      await em.query('update account set name = coalesce($2, name), domain = coalesce($3, domain) where id = $1', [
        input.id,
        input.name?.trim() ?? null,
        input.domain ?? null,
      ]);
    }
    const linked = await this.link(em, context, input.id, input.addContactIds ?? []);
    const unlinked = input.removeContactIds?.length
      ? (
          (await em.query('delete from contact_account where account_id = $1 and contact_id = any($2::uuid[]) returning contact_id', [
            input.id,
            input.removeContactIds,
          ])) as [{ contact_id: string }[], number]
        )[0].map((r) => r.contact_id)
      : [];
    return this.changed(em, context, input.id, 'updated', { linked, unlinked });
  }

  async delete(context: CommandContext, id: string): Promise<{ deleted: true }> {
    await this.ds.transaction(async (em) => {
      const view = await this.get(context, id, em);
      // A deletion reaches v1 subscribers whatever the size: without its contacts when there are too many for v1.
      const v1 = (await this.contactIdsForV1(em, view)) ?? [];
      await em.query('delete from account where workspace_id = $1 and id = $2', [context.workspaceId, id]);
      await this.record(em, context, view, 'deleted', { linked: [], unlinked: [] }, v1);
    });
    return { deleted: true };
  }

  /** The account as the deprecated v1 commands answer it, with every linked contact's id. */
  async getV1(context: CommandContext, id: string, em: EntityManager = this.ds.manager): Promise<AccountViewV1> {
    const [row] = (await em.query(`${ACCOUNT_VIEW_V1_SQL} where a.workspace_id = $1 and a.id = $2`, [context.workspaceId, id])) as AccountRowV1[];
    if (!row) throw new DomainError(ErrorCode.NotFound, `account ${id} not found`);
    return toViewV1(row);
  }

  /** A page of accounts as the deprecated v1 commands answer it. */
  async listV1(context: CommandContext, query: PageQuery): Promise<Page<AccountViewV1>> {
    const limit = query.limit ?? 50;
    const page = keysetPageSql(ACCOUNT_VIEW_V1_SQL, ['a.workspace_id = $1'], [context.workspaceId], ['a.created_at', 'a.id'], { cursor: query.cursor, limit });
    return pageOf((await this.ds.query(page.sql, page.params)) as AccountRowV1[], limit, toViewV1);
  }

  /**
   * A changed account as v1 answers it, in the change's transaction: past what one answer can
   * carry, the change is refused (so rolled back) rather than made and then not answered.
   */
  private async asV1(em: EntityManager, context: CommandContext, view: AccountView): Promise<AccountViewV1> {
    if (view.contactCount > ACCOUNT_VIEW_V1_MAX_CONTACTS)
      throw new DomainError(
        ErrorCode.ReplyTooLarge,
        `account ${view.id} would have ${view.contactCount} contacts, more than a v1 answer carries (${ACCOUNT_VIEW_V1_MAX_CONTACTS}); nothing was changed: use the v2 command`,
      );
    return this.getV1(context, view.id, em);
  }

  /** Links the contacts (each must exist); answers the ones that were not linked already. */
  private async link(em: EntityManager, context: CommandContext, accountId: string, contactIds: string[]): Promise<string[]> {
    if (!contactIds.length) return [];
    await requireContacts(em, context.workspaceId, contactIds, 'contactIds');
    const rows = (await em.query(
      'insert into contact_account (contact_id, account_id) select unnest($2::uuid[]), $1 on conflict do nothing returning contact_id',
      [accountId, [...new Set(contactIds)]],
    )) as { contact_id: string }[];
    return rows.map((r) => r.contact_id);
  }

  private async changed(em: EntityManager, context: CommandContext, id: string, change: 'created' | 'updated', links: Links): Promise<AccountView> {
    const view = await this.get(context, id, em);
    await this.record(em, context, view, change, links, await this.contactIdsForV1(em, view));
    return view;
  }

  /** v2, and during v1's deprecation window v1 too, when the account is small enough for it (`contactIds` given). */
  private async record(
    em: EntityManager,
    context: CommandContext,
    view: AccountView,
    change: 'created' | 'updated' | 'deleted',
    links: Links,
    contactIds: string[] | null,
  ) {
    const { id: accountId, name, contactCount } = view;
    await recordEvent(em, accountChangedV2, context, {
      accountId,
      change,
      name,
      contactCount,
      linkedContactIds: links.linked,
      unlinkedContactIds: links.unlinked,
    });
    if (contactIds) await recordEvent(em, accountChangedV1, context, { accountId, change, name, contactIds });
  }

  /** The linked contacts for the deprecated v1 event, or null when the account has too many for it. */
  private async contactIdsForV1(em: EntityManager, view: AccountView): Promise<string[] | null> {
    return view.contactCount <= ACCOUNT_CHANGED_V1_MAX_CONTACTS ? this.contactIds(em, view.id) : null;
  }

  private async contactIds(em: EntityManager, accountId: string): Promise<string[]> {
    const rows = (await em.query('select contact_id from contact_account where account_id = $1 order by contact_id', [accountId])) as { contact_id: string }[];
    return rows.map((r) => r.contact_id);
  }
}
