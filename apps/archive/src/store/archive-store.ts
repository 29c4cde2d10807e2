import {
  archivedContactRecordedV1,
  contactArchivedV1,
  contactMergedV1,
  contextOf,
  listArchivedContactsV1,
  workspaceStatsV1,
  type ArchivedContactView,
  type CommandContext,
  type ContactArchivedV1,
  type ContactMergedV1,
  type EventEnvelope,
  type ListArchivedContactsV1,
  type NotRestorableReason,
  type Page,
} from '@custodian/contracts';
import { DomainError, ErrorCode } from '@custodian/contracts';
import { CommandClient, CommandHandler, OnEvent, recordEvent } from '@custodian/messaging';
import { boundedPage, cursorTimeSql, keysetPageSql, encodeCursor } from '@custodian/persistence';
import { Controller, Inject } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ArchiveEnv } from '../config.js';
import { notRestorableSql, windowOf } from './rules.js';

interface Row {
  contact_id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  archived_at: Date;
  archived_by: string;
  reason: string | null;
  restorable_from: Date;
  restorable_until: Date;
  why: NotRestorableReason | null;
  /** archived_at to the microsecond, for cursors. */
  cursor_at: string;
}

/** Keeps every archived contact's snapshot, and answers which can be restored. */
@Controller()
export class ArchiveStore {
  constructor(
    private readonly ds: DataSource,
    private readonly contacts: CommandClient,
    @Inject(ArchiveEnv) private readonly env: ArchiveEnv,
  ) {}

  @OnEvent(contactArchivedV1)
  async onArchived(event: EventEnvelope<ContactArchivedV1>, em: EntityManager): Promise<void> {
    const s = event.data.snapshot;
    const { frozenSecs, restorableSecs } = windowOf(this.env);
    // Archived again after a restore: the newer snapshot replaces the old one, and only a newer one
    // (an older event, redelivered or relayed late, would move the freeze and purge windows back).
    const stored = (await em.query(
      `insert into archived_contact (contact_id, workspace_id, email, first_name, last_name, snapshot, list_ids, tag_names, archived_at, archived_by, reason)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (contact_id) do update set email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name,
         snapshot = excluded.snapshot, list_ids = excluded.list_ids, tag_names = excluded.tag_names, archived_at = excluded.archived_at,
         archived_by = excluded.archived_by, reason = excluded.reason, restored_at = null, restore_job_id = null
       where archived_contact.archived_at < excluded.archived_at
       returning contact_id`,
      [
        s.contactId,
        event.workspaceId,
        s.email,
        s.firstName ?? null,
        s.lastName ?? null,
        s,
        s.memberships.map((m) => m.listId),
        s.tags.map((t) => t.name.toLowerCase()),
        event.occurredAt,
        event.actor.id,
        event.data.reason ?? null,
      ],
    )) as unknown[];
    if (!stored.length) return;
    const archivedAt = new Date(event.occurredAt);
    await recordEvent(em, archivedContactRecordedV1, contextOf(event), {
      contactId: s.contactId,
      email: s.email,
      archivedAt: archivedAt.toISOString(),
      restorableFrom: new Date(archivedAt.getTime() + frozenSecs * 1000).toISOString(),
      restorableUntil: new Date(archivedAt.getTime() + restorableSecs * 1000).toISOString(),
    });
  }

  @OnEvent(contactMergedV1)
  async onMerged(event: EventEnvelope<ContactMergedV1>, em: EntityManager): Promise<void> {
    await em.query('insert into merged_contact (contact_id, workspace_id) values ($1, $2) on conflict do nothing', [event.data.duplicateId, event.workspaceId]);
  }

  @CommandHandler(listArchivedContactsV1)
  async list(data: ListArchivedContactsV1, context: CommandContext): Promise<Page<ArchivedContactView>> {
    const { frozenSecs, restorableSecs } = windowOf(this.env);
    const limit = data.limit ?? 50;
    const params: unknown[] = [context.workspaceId, frozenSecs, restorableSecs];
    const where = ['a.workspace_id = $1', 'a.restored_at is null'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (data.email) add('lower(a.email) = lower(?)', data.email);
    if (data.name) {
      params.push(`%${data.name.replace(/[\\%_]/g, '\\$&')}%`);
      where.push(`(a.first_name ilike $${params.length} or a.last_name ilike $${params.length})`);
    }
    if (data.listId) add('? = any(a.list_ids)', data.listId);
    if (data.tag) add('lower(?) = any(a.tag_names)', data.tag);
    if (data.archivedFrom) add('a.archived_at >= ?', data.archivedFrom);
    if (data.archivedTo) add('a.archived_at < ?', data.archivedTo);
    const why = notRestorableSql('$2', '$3');
    if (data.restorable !== undefined) where.push(`(${why}) is ${data.restorable ? '' : 'not '}null`);
    const query = keysetPageSql(
      `select a.*, ${cursorTimeSql('a.archived_at')} as cursor_at,
              a.archived_at + make_interval(secs => $2) as restorable_from, a.archived_at + make_interval(secs => $3) as restorable_until,
              ${why} as why
       from archived_contact a`,
      where,
      params,
      ['a.archived_at', 'a.contact_id'],
      { cursor: data.cursor, limit },
    );
    const rows = (await this.ds.query(query.sql, query.params)) as Row[];
    const page = rows.slice(0, limit);
    const stats = page.length ? await this.contacts.request(workspaceStatsV1, context, { emails: page.map((r) => r.email) }) : { emailsInUse: [] as string[] };
    const inUse = new Set(stats.emailsInUse);
    return boundedPage(
      rows,
      limit,
      (r): ArchivedContactView => {
        const reason = r.why ?? (inUse.has(r.email.toLowerCase()) ? 'email_in_use' : null);
        return {
          contactId: r.contact_id,
          email: r.email,
          firstName: r.first_name,
          lastName: r.last_name,
          archivedAt: r.archived_at.toISOString(),
          archivedBy: r.archived_by,
          reason: r.reason,
          restorableFrom: r.restorable_from.toISOString(),
          restorableUntil: r.restorable_until.toISOString(),
          restorable: reason === null,
          notRestorableBecause: reason,
        };
      },
      (last) => encodeCursor(last.cursor_at, last.contact_id),
    );
  }
}

export function notFound(id: string): DomainError {
  return new DomainError(ErrorCode.NotFound, `archived contact ${id} not found`);
}
