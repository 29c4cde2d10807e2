import {
  DomainError, ErrorCode, type CommandContext, type JobView, type ListView, type RestoreBackupV1,
} from '@custodian/contracts';
import { defineJob, JobFailure, JobRunner, JobStore, type ClaimedJob, type FinishedJob, type JobContext } from '@custodian/jobs';
import { CommandClient, CommandHandler, recordEvent } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
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

export interface RestoreResult {
  dryRun: boolean; listId: string | null; listRecreated: boolean; importJobId?: string;
  created: number; updated: number; unchanged: number; statusChanged: number; failed: number;
}

export type RestoreReply = JobView & { listId: string | null; listRecreated: boolean };

@Controller()
export class RestoreHandlers {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly restores: RestoreJob,
    private readonly contacts: CommandClient,
    @Inject(LOGGER) readonly logger: Logger,
  ) {}

  /**
   * Starts a restore: the list is re-created first (under its old name, or "<name> (restored)" if
   * the name was taken meanwhile) so the caller gets its id at once; the import runs as a job.
   */
  @CommandHandler('backups.backup.restore.v1')
  async restore(data: RestoreBackupV1, context: CommandContext): Promise<RestoreReply> {
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

  private async start(data: RestoreBackupV1, context: CommandContext): Promise<RestoreReply> {
    const backup = await findBackup(this.ds.manager, context.workspaceId, data.id);
    const dryRun = data.dryRun ?? false;
    if (data.idempotencyKey) {
      const same = await this.jobs.byIdempotencyKey(this.ds.manager, this.restores.definition, context.workspaceId, data.idempotencyKey);
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
      await this.contacts.request<ListView>('contacts.list.get.v1', context, { id: backup.list_id });
    } catch (err) {
      if (!(err instanceof DomainError && err.code === ErrorCode.NotFound)) throw err;
      listRecreated = true;
      listId = dryRun ? null : await this.recreateList(context, backup.list_name, backup.created_at);
    }
    const params: RestoreParams = { backupId: backup.id, listId, listRecreated, dryRun, context };
    const job = await this.ds.transaction(async (em) => {
      const { job: queued } = await this.jobs.enqueue(em, this.restores.definition, {
        workspaceId: context.workspaceId, requestedBy: context.actor.id, correlationId: context.correlationId,
        params, idempotencyKey: data.idempotencyKey, ignoreForIdempotency: ['context', 'listId', 'listRecreated'],
      });
      if (!dryRun && listId) {
        await recordEvent(em, 'events.backups.restore.started.v1', context, { jobId: queued.id, backupId: backup.id, listId, listRecreated });
      }
      return queued;
    });
    this.runner.poke();
    return { ...job, listId, listRecreated };
  }

  private async recreateList(context: CommandContext, name: string, backedUpAt: Date): Promise<string> {
    for (const candidate of [name, `${name} (restored ${backedUpAt.toISOString().slice(0, 10)})`]) {
      try {
        return (await this.contacts.request<ListView>('contacts.list.create.v1', context, { name: candidate.slice(0, 200) })).id;
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
  readonly definition = defineJob<RestoreParams, RestoreResult>({
    kind: 'restore',
    timeout: this.env.BACKUPS_RESTORE_TIMEOUT,
    maxAttempts: 3,
    run: (job, ctx) => this.run(job, ctx),
    onFinished: (em, job) => this.onFinished(em, job),
  });

  constructor(private readonly ds: DataSource, private readonly storage: ObjectStorage, private readonly contacts: CommandClient,
    @Inject(BackupsEnv) private readonly env: BackupsEnv) {}

  private async run(job: ClaimedJob<RestoreParams>, ctx: JobContext<RestoreResult>): Promise<RestoreResult> {
    const p = job.params;
    const backup = await findBackup(this.ds.manager, p.context.workspaceId, p.backupId);
    try {
      await this.storage.verify('backups', backup.object_key, { bytes: Number(backup.bytes), sha256: backup.sha256 });
    } catch (err) {
      if (err instanceof StorageError && err.code === 'STORAGE_NOT_FOUND') throw new JobFailure(ErrorCode.BackupCorrupt, `the file of backup ${backup.id} is missing from storage`);
      if (err instanceof StorageError && err.code === 'STORAGE_INTEGRITY') throw new JobFailure(ErrorCode.BackupCorrupt, `the file of backup ${backup.id} is corrupt: ${err.message}`);
      throw err;
    }
    if (!p.listId) {
      // A dry run for a list that no longer exists: every member would come back.
      return { dryRun: true, listId: null, listRecreated: true, created: Number(backup.rows), updated: 0, unchanged: 0, statusChanged: 0, failed: 0 };
    }
    const started = await this.contacts.request<JobView>('contacts.import.start.v1', p.context, {
      listId: p.listId, mode: 'upsert', objectKey: backup.object_key, source: 'backups', protectOptOuts: true, snapshotFirst: true,
      dryRun: p.dryRun, idempotencyKey: `restore-${job.id}`,
    });
    for (;;) {
      const imported = await this.contacts.request<JobView>('contacts.job.get.v1', p.context, { id: started.id });
      await ctx.progress(imported.progress.done, imported.progress.total);
      if (imported.status === 'succeeded') {
        const r = imported.result as Record<string, number>;
        return {
          dryRun: p.dryRun, listId: p.listId, listRecreated: p.listRecreated, importJobId: imported.id,
          created: r.created, updated: r.updated, unchanged: r.unchanged, statusChanged: r.statusChanged, failed: r.failed,
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
      await recordEvent(em, 'events.backups.restore.completed.v1', p.context, { jobId: job.id, backupId: p.backupId, listId: r.listId!, created: r.created, updated: r.updated, unchanged: r.unchanged });
    } else {
      await recordEvent(em, 'events.backups.restore.failed.v1', p.context, { jobId: job.id, backupId: p.backupId, code: job.error?.code ?? job.status, message: job.error?.message ?? job.status });
    }
  }
}
