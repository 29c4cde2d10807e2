import type { ArchiveContactsV1, ArchiveContactV1, CommandContext, EmailsInUseV1, JobView, MergeContactsV1, RestoreContactsV1, RestoreContactsV2, RestoreContactV1 } from '@custodian/contracts';
import { JobRunner, JobStore } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { BulkArchiveJob, type BulkArchiveParams } from './bulk-archive-job.js';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Controller, Inject } from '@nestjs/common';
import { LifecycleService } from './lifecycle.service.js';

@Controller()
export class LifecycleHandlers {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly archives: BulkArchiveJob,
    private readonly runner: JobRunner,
    @Inject(LOGGER) readonly logger: Logger,
  ) {}

  @CommandHandler('contacts.contact.merge.v1')
  merge(data: MergeContactsV1, context: CommandContext) {
    return this.lifecycle.merge(context, data.primaryId, data.duplicateId);
  }

  @CommandHandler('contacts.contact.archive.v1')
  archive(data: ArchiveContactV1, context: CommandContext) {
    return this.lifecycle.archive(context, data.id, data.reason);
  }

  @CommandHandler('contacts.contact.restore.v1')
  restore(data: RestoreContactV1, context: CommandContext) {
    return this.lifecycle.restore({ ...context, origin: 'restore' }, data.snapshot);
  }

  @CommandHandler('contacts.contact.restore-batch.v1')
  restoreListed(data: RestoreContactsV1, context: CommandContext) {
    return this.lifecycle.restoreListed({ ...context, origin: 'restore' }, data.snapshots);
  }

  @CommandHandler('contacts.contact.restore-batch.v2')
  restoreBatch(data: RestoreContactsV2, context: CommandContext) {
    return this.lifecycle.restoreBatch({ ...context, origin: 'restore' }, data.snapshotsKey);
  }

  @CommandHandler('contacts.workspace.emails-in-use.v1')
  emailsInUse(data: EmailsInUseV1, context: CommandContext) {
    return this.lifecycle.emailsInUse(context, data.emailsKey);
  }

  @CommandHandler('contacts.contact.archive-bulk.v1')
  async archiveMany(data: ArchiveContactsV1, context: CommandContext): Promise<JobView> {
    const { idempotencyKey, reason, ...filter } = data;
    BulkArchiveJob.validate(filter);
    const params: BulkArchiveParams = { filter, reason, context };
    const { job } = await this.ds.transaction((em) => this.jobs.enqueue(em, this.archives.definition, {
      workspaceId: context.workspaceId, requestedBy: context.actor.id, correlationId: context.correlationId,
      params, idempotencyKey, ignoreForIdempotency: ['context'],
      // One bulk archive at a time per workspace.
      concurrencyKey: 'archive-bulk',
    }));
    this.runner.poke();
    return job;
  }
}
