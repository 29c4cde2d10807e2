import { randomUUID } from 'node:crypto';
import { listSnapshotCreatedV1, type CommandContext, type ListSnapshotCreatedV1, type SnapshotReason } from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { csvCopySql, csvHeaderLine, sqlLiteral } from '@custodian/persistence';
import { copyToObject, objectKey, ObjectStorage } from '@custodian/storage';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { BackupPolicy } from '../backup-policy/backup-policy.js';
import { definedFieldNames } from '../fields/field-definitions.js';

/** The columns of a list snapshot; an import of the file maps them back without any mapping. */
export const SNAPSHOT_COLUMNS = ['email', 'firstName', 'lastName', 'status', 'createdAt'] as const;

export interface SnapshotRequest {
  context: CommandContext;
  listId: string;
  listName: string;
  reason: SnapshotReason;
  jobId?: string;
}

/** A list snapshot being written aside: recorded with the change it protects, or removed with it. */
export class PendingSnapshot {
  constructor(
    private readonly written: Promise<ListSnapshotCreatedV1>,
    private readonly record: (em: EntityManager, data: ListSnapshotCreatedV1) => Promise<void>,
    private readonly remove: (key: string) => Promise<void>,
  ) {
    // Awaited by recordIn or discard; a failure before then must not go unhandled.
    written.catch(() => undefined);
  }

  /** Waits for the file and records its event in the caller's transaction (the change's). */
  async recordIn(em: EntityManager): Promise<ListSnapshotCreatedV1> {
    const data = await this.written;
    await this.record(em, data);
    return data;
  }

  /**
   * The change was not made: the file was written for it alone and nothing records it, so nothing
   * would ever remove it. Removes it (once written), never failing.
   */
  async discard(): Promise<void> {
    const data = await this.written.catch(() => undefined);
    if (data) await this.remove(data.key).catch(() => undefined);
  }
}

/**
 * Writes a list as it is right now (every member with fields and subscription status) to the
 * backups bucket, streamed by COPY on the caller's transaction (so it is exactly what that
 * transaction is about to change), and records the event the backups service catalogs.
 */
@Injectable()
export class ListSnapshots {
  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    private readonly policy: BackupPolicy,
  ) {}

  /** Back-office changes (or any, when forced), and only where the workspace's policy asks for it. */
  async required(em: EntityManager, context: CommandContext, listId: string, force = false): Promise<boolean> {
    return (context.origin === 'app' || force) && this.policy.shouldSnapshot(em, context.workspaceId, listId);
  }

  /** Writes the snapshot on the caller's transaction and records its event there. */
  async write(em: EntityManager, request: SnapshotRequest): Promise<ListSnapshotCreatedV1> {
    if (!em.queryRunner) throw new Error('a list snapshot must be written inside a transaction');
    const data = await this.capture(em.queryRunner, request);
    await this.record(em, request, data);
    return data;
  }

  /**
   * Starts writing the snapshot from a read-only snapshot transaction of its own, so it runs while
   * the caller (holding the list locked) does other work. The caller then records it in the
   * transaction of its change (`recordIn`), or discards it with the change (`discard`).
   */
  begin(request: SnapshotRequest): PendingSnapshot {
    return new PendingSnapshot(
      this.captureAside(request),
      (em, data) => this.record(em, request, data),
      (key) => this.storage.remove('backups', key),
    );
  }

  private async captureAside(request: SnapshotRequest): Promise<ListSnapshotCreatedV1> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('set transaction read only');
      const data = await this.capture(runner, request);
      await runner.commitTransaction();
      return data;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private async record(em: EntityManager, request: SnapshotRequest, data: ListSnapshotCreatedV1): Promise<void> {
    await recordEvent(em, listSnapshotCreatedV1, request.context, data);
  }

  private async capture(runner: QueryRunner, request: SnapshotRequest): Promise<ListSnapshotCreatedV1> {
    const em = runner.manager;
    const { workspaceId } = request.context;
    // Every custom field of the workspace gets a column (empty where a member has none). The header
    // is written here, not by COPY, which would cut long names at 63 bytes.
    const fields = await definedFieldNames(em, workspaceId);
    const fieldColumns = fields.map((name) => `, c.fields ->> ${sqlLiteral(name)}`).join('');
    const sql = csvCopySql(`
      select c.email, c.first_name, c.last_name, m.status,
             to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')${fieldColumns}
      from membership m join contact c on c.id = m.contact_id
      where m.workspace_id = ${sqlLiteral(workspaceId)} and m.list_id = ${sqlLiteral(request.listId)}`);
    const header = csvHeaderLine([...SNAPSHOT_COLUMNS, ...fields.map((name) => `fields.${name}`)]);
    const snapshotId = randomUUID();
    const key = objectKey(workspaceId, 'backups', snapshotId, 'csv');
    const stored = await copyToObject(runner, sql, this.storage, 'backups', key, { header });
    return {
      snapshotId,
      listId: request.listId,
      listName: request.listName,
      reason: request.reason,
      ...(request.jobId ? { jobId: request.jobId } : {}),
      requestedBy: request.context.actor.id,
      causeOrigin: request.context.origin,
      bucket: this.storage.bucket('backups'),
      key,
      rows: stored.rows,
      bytes: stored.bytes,
      sha256: stored.sha256,
    };
  }
}
