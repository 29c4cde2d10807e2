import { ErrorCode, type CommandContext, startImportV1, contactsGetJobV1, restoreCompletedV1, restoreFailedV1 } from '@custodian/contracts';
import { defineJob, JobFailure, type ClaimedJob, type FinishedJob, type JobContext } from '@custodian/jobs';
import { CommandClient, recordEvent } from '@custodian/messaging';
import { ObjectStorage, StorageError } from '@custodian/storage';
import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type EntityManager } from 'typeorm';
import { findBackup } from '../catalog/catalog.js';
import { BackupsEnv } from '../config.js';

/** The kind of restore jobs (the retention sweeper keeps a backup while one of them needs it). */
export const RESTORE_JOB_KIND = 'restore';

export interface RestoreParams {
  backupId: string;
  /** The list restored into; null for a dry run of a list that no longer exists. */
  listId: string | null;
  listRecreated: boolean;
  dryRun: boolean;
  context: CommandContext;
}

export interface RestoreResult {
  dryRun: boolean;
  listId: string | null;
  listRecreated: boolean;
  importJobId?: string;
  created: number;
  updated: number;
  unchanged: number;
  statusChanged: number;
  failed: number;
}

/**
 * The restore job: checks the backup file against its sha256, then has contacts import it into the
 * list (upsert, statuses from the file, opt-outs in the list protected, a backup of the list first)
 * and follows that import to its end.
 */
@Injectable()
export class RestoreJob {
  readonly definition = defineJob<RestoreParams, RestoreResult>({
    kind: RESTORE_JOB_KIND,
    timeout: this.env.BACKUPS_RESTORE_TIMEOUT,
    maxAttempts: 3,
    run: (job, ctx) => this.run(job, ctx),
    onFinished: (em, job) => this.onFinished(em, job),
  });

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    private readonly contacts: CommandClient,
    @Inject(BackupsEnv) private readonly env: BackupsEnv,
  ) {}

  private async run(job: ClaimedJob<RestoreParams>, ctx: JobContext<RestoreResult>): Promise<RestoreResult> {
    const p = job.params;
    const backup = await findBackup(this.ds.manager, p.context.workspaceId, p.backupId);
    try {
      await this.storage.verify('backups', backup.object_key, { bytes: Number(backup.bytes), sha256: backup.sha256 });
    } catch (err) {
      if (err instanceof StorageError && err.code === 'STORAGE_NOT_FOUND')
        throw new JobFailure(ErrorCode.BackupCorrupt, `the file of backup ${backup.id} is missing from storage`);
      if (err instanceof StorageError && err.code === 'STORAGE_INTEGRITY')
        throw new JobFailure(ErrorCode.BackupCorrupt, `the file of backup ${backup.id} is corrupt: ${err.message}`);
      throw err;
    }
    if (!p.listId) {
      // A dry run for a list that no longer exists: every member would come back.
      return { dryRun: true, listId: null, listRecreated: true, created: Number(backup.rows), updated: 0, unchanged: 0, statusChanged: 0, failed: 0 };
    }
    // Both commands are safe to repeat (the import's idempotency key): a lost answer is asked again, under the job's time limit.
    const started = await this.contacts.requestUntilAnswered(
      startImportV1,
      p.context,
      {
        listId: p.listId,
        mode: 'upsert',
        objectKey: backup.object_key,
        source: 'backups',
        protectOptOuts: true,
        snapshotFirst: true,
        dryRun: p.dryRun,
        idempotencyKey: `restore-${job.id}`,
      },
      ctx.signal,
    );
    for (;;) {
      const imported = await this.contacts.requestUntilAnswered(contactsGetJobV1, p.context, { id: started.id }, ctx.signal);
      await ctx.progress(imported.progress.done, imported.progress.total);
      if (imported.status === 'succeeded') {
        const r = imported.result as Record<string, number>;
        return {
          dryRun: p.dryRun,
          listId: p.listId,
          listRecreated: p.listRecreated,
          importJobId: imported.id,
          created: r.created,
          updated: r.updated,
          unchanged: r.unchanged,
          statusChanged: r.statusChanged,
          failed: r.failed,
        };
      }
      if (!['queued', 'running'].includes(imported.status)) {
        throw new JobFailure(imported.error?.code ?? 'IMPORT_FAILED', `the import of the backup ended ${imported.status}: ${imported.error?.message ?? ''}`);
      }
      await sleep(250, undefined, { signal: ctx.signal });
    }
  }

  private async onFinished(em: EntityManager, job: FinishedJob<RestoreParams, RestoreResult>): Promise<void> {
    const p = job.params;
    if (p.dryRun) return;
    if (job.status === 'succeeded' && job.result) {
      const r = job.result;
      await recordEvent(em, restoreCompletedV1, p.context, {
        jobId: job.id,
        backupId: p.backupId,
        listId: r.listId!,
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
      });
    } else {
      await recordEvent(em, restoreFailedV1, p.context, {
        jobId: job.id,
        backupId: p.backupId,
        code: job.error?.code ?? job.status,
        message: job.error?.message ?? job.status,
      });
    }
  }
}
