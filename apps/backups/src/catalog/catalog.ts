import {
  backupCreatedV1,
  contextOf,
  DomainError,
  downloadBackupV1,
  ErrorCode,
  getBackupV1,
  listBackupsV1,
  listSnapshotCreatedV1,
  type BackupView,
  type CommandContext,
  type DownloadBackupV1,
  type EventEnvelope,
  type GetBackupV1,
  type ListBackupsV1,
  type ListSnapshotCreatedV1,
  type Page,
  invalidCursor,
} from '@custodian/contracts';
import { CommandHandler, OnEvent, recordEvent } from '@custodian/messaging';
import { boundedPage } from '@custodian/persistence';
import { ObjectStorage } from '@custodian/storage';
import { Controller, Inject } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { BackupsEnv } from '../config.js';

export interface BackupRow {
  id: string;
  workspace_id: string;
  list_id: string;
  list_name: string;
  reason: 'import' | 'deletion';
  requested_by: string;
  cause_origin: string;
  job_id: string | null;
  bucket: string;
  object_key: string;
  rows: string;
  bytes: string;
  sha256: string;
  created_at: Date;
  expires_at: Date;
}

export function toBackupView(r: BackupRow): BackupView {
  return {
    id: r.id,
    listId: r.list_id,
    listName: r.list_name,
    reason: r.reason,
    requestedBy: r.requested_by,
    causeOrigin: r.cause_origin,
    rows: Number(r.rows),
    bytes: Number(r.bytes),
    sha256: r.sha256,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
  };
}

/** A backup of the workspace, or BACKUP_EXPIRED / NOT_FOUND. */
export async function findBackup(em: EntityManager, workspaceId: string, id: string): Promise<BackupRow> {
  const [row] = (await em.query('select * from backup where workspace_id = $1 and id = $2', [workspaceId, id])) as BackupRow[];
  if (row) return row;
  const [gone] = (await em.query('select expired_at from expired_backup where workspace_id = $1 and id = $2', [workspaceId, id])) as { expired_at: Date }[];
  if (gone) throw new DomainError(ErrorCode.BackupExpired, `backup ${id} expired on ${gone.expired_at.toISOString()} and was deleted for good`);
  throw new DomainError(ErrorCode.NotFound, `backup ${id} not found`);
}

/** The catalog: every list snapshot contacts writes becomes a backup here. */
@Controller()
export class Catalog {
  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    @Inject(BackupsEnv) private readonly env: BackupsEnv,
  ) {}

  @OnEvent(listSnapshotCreatedV1)
  async onSnapshot(event: EventEnvelope<ListSnapshotCreatedV1>, em: EntityManager): Promise<void> {
    const s = event.data;
    const [row] = (await em.query(
      `insert into backup (id, workspace_id, list_id, list_name, reason, requested_by, cause_origin, job_id, bucket, object_key, rows, bytes, sha256, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14::timestamptz + make_interval(secs => $15))
       on conflict (id) do nothing returning expires_at`,
      [
        s.snapshotId,
        event.workspaceId,
        s.listId,
        s.listName,
        s.reason,
        s.requestedBy,
        s.causeOrigin,
        s.jobId ?? null,
        s.bucket,
        s.key,
        s.rows,
        s.bytes,
        s.sha256,
        event.occurredAt,
        this.env.BACKUPS_RETENTION / 1000,
      ],
    )) as { expires_at: Date }[];
    if (!row) return;
    await recordEvent(em, backupCreatedV1, contextOf(event), {
      backupId: s.snapshotId,
      listId: s.listId,
      listName: s.listName,
      reason: s.reason,
      causeOrigin: s.causeOrigin,
      rows: s.rows,
      bytes: s.bytes,
      sha256: s.sha256,
      expiresAt: row.expires_at.toISOString(),
    });
  }

  @CommandHandler(listBackupsV1)
  async list(data: ListBackupsV1, context: CommandContext): Promise<Page<BackupView>> {
    const limit = data.limit ?? 50;
    const params: unknown[] = [context.workspaceId];
    const where = ['workspace_id = $1'];
    if (data.listId) {
      params.push(data.listId);
      where.push(`list_id = $${params.length}`);
    }
    if (data.from) {
      params.push(data.from);
      where.push(`created_at >= $${params.length}`);
    }
    if (data.to) {
      params.push(data.to);
      where.push(`created_at < $${params.length}`);
    }
    const offset = data.cursor ? Number.parseInt(Buffer.from(data.cursor, 'base64url').toString('utf8'), 10) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw invalidCursor();
    }
    params.push(limit + 1, offset);
    // Sorted by list, then date, newest first (as the back office shows them).
    const rows = (await this.ds.query(
      `select * from backup where ${where.join(' and ')} order by lower(list_name), list_id, created_at desc, id
       limit $${params.length - 1} offset $${params.length}`,
      params,
    )) as BackupRow[];
    return boundedPage(rows, limit, toBackupView, (_last, taken) => Buffer.from(String(offset + taken)).toString('base64url'));
  }

  @CommandHandler(getBackupV1)
  async get(data: GetBackupV1, context: CommandContext): Promise<BackupView> {
    return toBackupView(await findBackup(this.ds.manager, context.workspaceId, data.id));
  }

  @CommandHandler(downloadBackupV1)
  async download(data: DownloadBackupV1, context: CommandContext): Promise<{ url: string; expiresAt: string; fileName: string }> {
    const backup = await findBackup(this.ds.manager, context.workspaceId, data.id);
    const ttl = this.env.BACKUPS_DOWNLOAD_LINK_TTL / 1000;
    const day = backup.created_at.toISOString().slice(0, 10);
    // The list's name is the user's: only word characters of it make the file name.
    const fileName = `backup-${backup.list_name.replace(/[^\w.-]+/g, '_').slice(0, 100)}-${day}.csv`;
    const url = await this.storage.presignedDownloadUrl('backups', backup.object_key, { expiresInSeconds: ttl, fileName });
    return { url, expiresAt: new Date(Date.now() + ttl * 1000).toISOString(), fileName };
  }
}
