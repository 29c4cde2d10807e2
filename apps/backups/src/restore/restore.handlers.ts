import {
  DomainError,
  ErrorCode,
  type CommandContext,
  type RestoreBackupV1,
  getListV1,
  restoreStartedV1,
  createListV1,
  restoreBackupV1,
  type RestoreBackupReply,
} from '@custodian/contracts';
import { JobRunner, JobStore } from '@custodian/jobs';
import { CommandClient, CommandHandler, recordEvent } from '@custodian/messaging';
import { withRunner } from '@custodian/persistence';
import { Controller } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { findBackup } from '../catalog/catalog.js';
import { RestoreJob, type RestoreParams } from './restore-job.js';

@Controller()
export class RestoreHandlers {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly restores: RestoreJob,
    private readonly contacts: CommandClient,
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
      await this.contacts.request(getListV1, context, { id: backup.list_id });
    } catch (err) {
      if (!(err instanceof DomainError && err.code === ErrorCode.NotFound)) throw err;
      listRecreated = true;
      listId = dryRun ? null : await this.recreateList(context, backup.list_name, backup.created_at);
    }
    const params: RestoreParams = { backupId: backup.id, listId, listRecreated, dryRun, context };
    const job = await this.ds.transaction(async (em) => {
      const { job: queued } = await this.jobs.enqueue(em, this.restores.definition, {
        workspaceId: context.workspaceId,
        requestedBy: context.actor.id,
        correlationId: context.correlationId,
        params,
        idempotencyKey: data.idempotencyKey,
        ignoreForIdempotency: ['context', 'listId', 'listRecreated'],
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
