import { randomUUID } from 'node:crypto';
import type { CommandContext, ListSnapshotCreatedV1, SnapshotReason } from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { copyOutOn, sqlIdentifier, sqlLiteral } from '@custodian/persistence';
import { objectKey, ObjectStorage } from '@custodian/storage';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BackupPolicy } from '../backup-policy/backup-policy.js';

/** The columns of a list snapshot; an import of the file maps them back without any mapping. */
export const SNAPSHOT_COLUMNS = ['email', 'firstName', 'lastName', 'status', 'createdAt'] as const;

export interface SnapshotRequest {
  context: CommandContext;
  listId: string;
  listName: string;
  reason: SnapshotReason;
  jobId?: string;
}

/**
 * Writes a list as it is right now (every member with fields and subscription status) to the
 * backups bucket, streamed by COPY on the caller's transaction (so it is exactly what that
 * transaction is about to change), and records the event the backups service catalogs.
 */
@Injectable()
export class ListSnapshots {
  constructor(private readonly storage: ObjectStorage, private readonly policy: BackupPolicy) {}

  /** Back-office changes (or any, when forced), and only where the workspace's policy asks for it. */
  async required(em: EntityManager, context: CommandContext, listId: string, force = false): Promise<boolean> {
    return (context.origin === 'app' || force) && this.policy.shouldSnapshot(em, context.workspaceId, listId);
  }

  async write(em: EntityManager, request: SnapshotRequest): Promise<ListSnapshotCreatedV1> {
    const runner = em.queryRunner;
    if (!runner) throw new Error('a list snapshot must be written inside a transaction');
    const { workspaceId } = request.context;
    const fieldRows = (await em.query(
      `select distinct jsonb_object_keys(c.fields) as name from membership m join contact c on c.id = m.contact_id
       where m.list_id = $1 order by 1`, [request.listId],
    )) as { name: string }[];
    const fieldColumns = fieldRows.map(({ name }) => `, c.fields ->> ${sqlLiteral(name)} as ${sqlIdentifier(`fields.${name}`)}`).join('');
    const sql = `copy (
      select c.email, c.first_name as "firstName", c.last_name as "lastName", m.status,
             to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt"${fieldColumns}
      from membership m join contact c on c.id = m.contact_id
      where m.workspace_id = ${sqlLiteral(workspaceId)} and m.list_id = ${sqlLiteral(request.listId)}
      order by lower(c.email)
    ) to stdout with (format csv, header true, encoding 'UTF8')`;
    const snapshotId = randomUUID();
    const key = objectKey(workspaceId, 'backups', snapshotId, 'csv');
    const { stream, rowCount } = await copyOutOn(runner, sql);
    const stored = await this.storage.upload('backups', key, stream);
    const data: ListSnapshotCreatedV1 = {
      snapshotId, listId: request.listId, listName: request.listName, reason: request.reason,
      ...(request.jobId ? { jobId: request.jobId } : {}),
      requestedBy: request.context.actor.id, causeOrigin: request.context.origin,
      bucket: this.storage.bucket('backups'), key, rows: rowCount(), bytes: stored.bytes, sha256: stored.sha256,
    };
    await recordEvent(em, 'events.contacts.list-snapshot.created.v1', request.context, data);
    return data;
  }
}
