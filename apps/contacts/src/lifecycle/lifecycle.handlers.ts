import {
  archiveContactsV1,
  archiveContactV1,
  emailsInUseV1,
  mergeContactsV1,
  restoreContactsV1,
  restoreContactsV2,
  restoreContactV1,
  type ArchiveContactsV1,
  type ArchiveContactV1,
  type CommandContext,
  type EmailsInUseV1,
  type JobView,
  type MergeContactsV1,
  type RestoreContactsV1,
  type RestoreContactsV2,
  type RestoreContactV1,
} from '@custodian/contracts';
import { JobRunner, JobStore } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { BulkArchiveJob, type BulkArchiveParams } from './bulk-archive-job.js';
import { CommandHandler } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { LifecycleService } from './lifecycle.service.js';

@Controller()
export class LifecycleHandlers {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly archives: BulkArchiveJob,
    private readonly runner: JobRunner,
  ) {}

  @CommandHandler(mergeContactsV1)
  merge(data: MergeContactsV1, context: CommandContext) {
    return this.lifecycle.merge(context, data.primaryId, data.duplicateId);
  }

  @CommandHandler(archiveContactV1)
  archive(data: ArchiveContactV1, context: CommandContext) {
    return this.lifecycle.archive(context, data.id, data.reason);
  }

  @CommandHandler(restoreContactV1)
  restore(data: RestoreContactV1, context: CommandContext) {
    return this.lifecycle.restore({ ...context, origin: 'restore' }, data.snapshot);
  }

  @CommandHandler(restoreContactsV1)
  restoreListed(data: RestoreContactsV1, context: CommandContext) {
    return this.lifecycle.restoreListed({ ...context, origin: 'restore' }, data.snapshots);
  }

  @CommandHandler(restoreContactsV2)
  restoreBatch(data: RestoreContactsV2, context: CommandContext) {
    return this.lifecycle.restoreBatch({ ...context, origin: 'restore' }, data.snapshotsKey);
  }

  @CommandHandler(emailsInUseV1)
  emailsInUse(data: EmailsInUseV1, context: CommandContext) {
    return this.lifecycle.emailsInUse(context, data.emailsKey);
  }

  @CommandHandler(archiveContactsV1)
  async archiveMany(data: ArchiveContactsV1, context: CommandContext): Promise<JobView> {
    const { idempotencyKey, reason, ...filter } = data;
    BulkArchiveJob.validate(filter);
    const params: BulkArchiveParams = { filter, reason, context };
    const { job } = await this.ds.transaction((em) =>
      this.jobs.enqueue(em, this.archives.definition, {
        workspaceId: context.workspaceId,
        requestedBy: context.actor.id,
        correlationId: context.correlationId,
        params,
        idempotencyKey,
        ignoreForIdempotency: ['context'],
        // One bulk archive at a time per workspace.
        concurrencyKey: 'archive-bulk',
      }),
    );
    this.runner.poke();
    return job;
  }
}
