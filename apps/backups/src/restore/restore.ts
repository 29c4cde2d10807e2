import {
  contactsGetJobV1, createListV1, DomainError, ErrorCode, getListV1, restoreBackupV1, restoreCompletedV1, restoreFailedV1, restoreStartedV1, startImportV1, type CommandContext, type JobView, type RestoreBackupReply, type RestoreBackupV1,
} from '@custodian/contracts';
import { parseDuration } from '@custodian/config';
import type { ClaimedJob, FinishedJobDetails, JobContext } from '@custodian/jobs';
import { JobRunner, JobStore } from '@custodian/jobs';
import { CommandClient, CommandHandler, recordEvent } from '@custodian/messaging';
import { withRunner } from '@custodian/persistence';
import { ObjectStorage, StorageError } from '@custodian/storage';
import { Controller, Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type EntityManager } from 'typeorm';
import { findBackup } from '../catalog/catalog.js';
import { BackupsEnv } from '../config.js';

export interface RestoreParams {
  backupId: string;
  /** The list restored into; null for a dry run of a list that no longer exists. */
  listId: string | null;
  listRecreated: boolean;
  dryRun: boolean;
  context: CommandContext;
}

class RestoreFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

@Controller()
export class RestoreHandlers {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly contacts: CommandClient,
    @Inject(BackupsEnv) private readonly env: BackupsEnv,
  ) {}

  /**
   * Starts a restore: the list is re-created first (under its old name, or "<name> (restored)" if
   * the name was taken meanwhile) so the caller gets its id at once; the import runs as a job.
   */
  @CommandHandler(restoreBackupV1)
  async restore(data: RestoreBackupV1, context: CommandContext): Promise<RestoreBackupReply> {
    if (!data.idempotencyKey) return this.start(data, context);
    // Requests under one key wait for each other (the list is re-created outside the job's transaction), so a
    // second one finds the first one's job instead of re-creating the list again.
    const lock = [`backup-restore:${context.workspaceId}`, data.idempotencyKey];
    return withRunner(this.ds, async (runner) => {
      await runner.query('select pg_advisory_lock(hashtext($1), hashtext($2))', lock);
      try {
        return await this.start(data, context);
      } finally {
        await runner.query('select pg_advisory_unlock(hashtext($1), hashtext($2))', lock);
      }
    });
  }

  private async start(data: RestoreBackupV1, context: CommandContext): Promise<RestoreBackupReply> {
    const backup = await findBackup(this.ds.manager, context.workspaceId, data.id);
    const dryRun = data.dryRun ?? false;
    if (data.idempotencyKey) {
      const [same] = (await this.ds.query(`select * from job where workspace_id = $1 and kind = 'restore' and idempotency_key = $2`, [context.workspaceId, data.idempotencyKey])) as { id: string; params: RestoreParams }[];
      if (same) {
        if (same.params.backupId !== data.id || same.params.dryRun !== dryRun) {
          throw new DomainError(ErrorCode.IdempotencyKeyReused, `Idempotency-Key "${data.idempotencyKey}" was used for a different request (job ${same.id})`);
        }
        return { ...(await this.jobs.get(context.workspaceId, same.id))!, listId: same.params.listId, listRecreated: same.params.listRecreated };
      }
    }
    let listId: string | null = backup.list_id;
    let listRecreated = false;
    try {
      await this.contacts.request(getListV1, context, { id: backup.list_id });
    } catch (err) {
      if (!(err instanceof DomainError && err.code === ErrorCode.NotFound)) throw err;
      listRecreated = true;
      listId = dryRun ? null : await this.recreateList(context, backup.list_name, backup.created_at);
    }
    const params: RestoreParams = { backupId: backup.id, listId, listRecreated, dryRun, context };
    const job = await this.ds.transaction(async (em) => {
      const { job: queued } = await this.jobs.enqueue(em, {
        workspaceId: context.workspaceId, kind: 'restore', requestedBy: context.actor.id, correlationId: context.correlationId,
        params: params as unknown as Record<string, unknown>, idempotencyKey: data.idempotencyKey, ignoreForIdempotency: ['context', 'listId', 'listRecreated'],
        timeoutMs: parseDuration(this.env.BACKUPS_RESTORE_TIMEOUT), maxAttempts: 3,
      });
      if (!dryRun && listId) {
        await recordEvent(em, restoreStartedV1, context, { jobId: queued.id, backupId: backup.id, listId, listRecreated });
      }
      return queued;
    });
    this.runner.poke();
    return { ...job, listId, listRecreated };
  }

  private async recreateList(context: CommandContext, name: string, backedUpAt: Date): Promise<string> {
    for (const candidate of [name, `${name} (restored ${backedUpAt.toISOString().slice(0, 10)})`]) {
      try {
        return (await this.contacts.request(createListV1, context, { name: candidate.slice(0, 200) })).id;
      } catch (err) {
        if (!(err instanceof DomainError && err.code === ErrorCode.ListNameTaken)) throw err;
      }
    }
    throw new DomainError(ErrorCode.ListNameTaken, `lists named "${name}" and "${name} (restored …)" exist already; rename one and retry`);
  }
}

/**
 * The restore job: checks the backup file against its sha256, then has contacts import it into the
 * list (upsert, statuses from the file, opt-outs in the list protected, a backup of the list first)
 * and follows that import to its end.
 */
@Injectable()
export class RestoreJob {
  constructor(private readonly ds: DataSource, private readonly storage: ObjectStorage, private readonly contacts: CommandClient) {}

  async run(job: ClaimedJob, ctx: JobContext): Promise<Record<string, unknown>> {
    const p = job.params as unknown as RestoreParams;
    const backup = await findBackup(this.ds.manager, p.context.workspaceId, p.backupId);
    try {
      await this.storage.verify('backups', backup.object_key, { bytes: Number(backup.bytes), sha256: backup.sha256 });
    } catch (err) {
      if (err instanceof StorageError && err.code === 'STORAGE_NOT_FOUND') throw new RestoreFailure(ErrorCode.BackupCorrupt, `the file of backup ${backup.id} is missing from storage`);
      if (err instanceof StorageError && err.code === 'STORAGE_INTEGRITY') throw new RestoreFailure(ErrorCode.BackupCorrupt, `the file of backup ${backup.id} is corrupt: ${err.message}`);
      throw err;
    }
    if (!p.listId) {
      // A dry run for a list that no longer exists: every member would come back.
      return { dryRun: true, listId: null, listRecreated: true, created: Number(backup.rows), updated: 0, unchanged: 0, statusChanged: 0, failed: 0 };
    }
    const started = await this.contacts.request(startImportV1, p.context, {
      listId: p.listId, mode: 'upsert', objectKey: backup.object_key, source: 'backups', protectOptOuts: true, snapshotFirst: true,
      dryRun: p.dryRun, idempotencyKey: `restore-${job.id}`,
    });
    for (;;) {
      const imported = await this.contacts.request(contactsGetJobV1, p.context, { id: started.id });
      await ctx.progress(imported.progress.done, imported.progress.total);
      if (imported.status === 'succeeded') {
        const r = imported.result as Record<string, number>;
        return {
          dryRun: p.dryRun, listId: p.listId, listRecreated: p.listRecreated, importJobId: imported.id,
          created: r.created, updated: r.updated, unchanged: r.unchanged, statusChanged: r.statusChanged, failed: r.failed,
        };
      }
      if (!['queued', 'running'].includes(imported.status)) {
        throw new RestoreFailure(imported.error?.code ?? 'IMPORT_FAILED', `the import of the backup ended ${imported.status}: ${imported.error?.message ?? ''}`);
      }
      await sleep(250, undefined, { signal: ctx.signal });
    }
  }

  async onFinished(em: EntityManager, job: JobView, details: FinishedJobDetails): Promise<void> {
    const p = details.params as unknown as RestoreParams;
    if (job.kind !== 'restore' || p.dryRun) return;
    if (job.status === 'succeeded') {
      const r = job.result as { listId: string; created: number; updated: number; unchanged: number };
      await recordEvent(em, restoreCompletedV1, p.context, { jobId: job.id, backupId: p.backupId, listId: r.listId, created: r.created, updated: r.updated, unchanged: r.unchanged });
    } else {
      await recordEvent(em, restoreFailedV1, p.context, { jobId: job.id, backupId: p.backupId, code: job.error?.code ?? job.status, message: job.error?.message ?? job.status });
    }
  }
}
