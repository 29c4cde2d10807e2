import {
  contextOf,
  DomainError,
  ErrorCode,
  type CommandContext,
  type FormSubmittedV1,
  type EventEnvelope,
  type StartRestoreV1,
  restoreOutcomesV1,
  formSubmittedV1,
  startRestoreV1,
} from '@custodian/contracts';
import { JobStore } from '@custodian/jobs';
import { CommandHandler, OnEvent } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { ObjectStorage } from '@custodian/storage';
import { Controller, Inject } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RestoreJob } from './restore-job.js';
import { RestoreService } from './restore.service.js';

@Controller()
export class RestoreHandlers {
  constructor(
    private readonly restores: RestoreService,
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    private readonly jobs: JobStore,
    private readonly restoreJob: RestoreJob,
    @Inject(LOGGER) readonly logger: Logger,
  ) {}

  @CommandHandler(startRestoreV1)
  start(data: StartRestoreV1, context: CommandContext) {
    return this.restores.start(context, data);
  }

  @CommandHandler(restoreOutcomesV1)
  async outcomes(data: { id: string }, context: CommandContext): Promise<{ url: string }> {
    const job = await this.jobs.find(this.ds.manager, this.restoreJob.definition, context.workspaceId, data.id);
    const key = job?.result?.outcomesKey;
    if (!job || !key) throw new DomainError(ErrorCode.NotFound, `no outcomes for restore ${data.id}${job ? ` (it is ${job.status})` : ''}`);
    return { url: await this.storage.presignedDownloadUrl('archive', key, { expiresInSeconds: 900, fileName: `restore-${job.id}.csv` }) };
  }

  /** An archived contact who submits a form comes back at once, whatever its age in the archive. */
  @OnEvent(formSubmittedV1)
  async onFormSubmitted(event: EventEnvelope<FormSubmittedV1>, em: EntityManager): Promise<void> {
    const rows = (await em.query(
      `select a.contact_id, a.email from archived_contact a
       where a.workspace_id = $1 and lower(a.email) = lower($2) and a.restored_at is null
         and not exists (select 1 from merged_contact m where m.contact_id = a.contact_id)`,
      [event.workspaceId, event.data.email],
    )) as { contact_id: string; email: string }[];
    if (!rows.length) return;
    const context = contextOf(event, { actor: { id: 'system' }, origin: 'restore' });
    const started = await this.restores.restoreAutomatically(context, rows, event.id);
    if (started === 'waiting') this.logger.info({ workspaceId: event.workspaceId, contacts: rows.length }, 'automatic restore waits for the running restore');
  }
}
