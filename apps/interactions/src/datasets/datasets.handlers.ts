import { DomainError, ErrorCode, exportInteractionsDatasetV1, type CommandContext, type ExportInteractionsDatasetV1, type JobView } from '@custodian/contracts';
import { JobRunner, JobStore } from '@custodian/jobs';
import { CommandHandler } from '@custodian/messaging';
import { keyBelongsTo } from '@custodian/storage';
import { Controller } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InteractionDatasetJob, type InteractionDatasetParams } from './dataset-export-job.js';

/** Datasets for the exports service: conversations, messages, failed messages and users, streamed by jobs. */
@Controller()
export class DatasetsHandlers {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly datasets: InteractionDatasetJob,
  ) {}

  @CommandHandler(exportInteractionsDatasetV1)
  async export(data: ExportInteractionsDatasetV1, context: CommandContext): Promise<JobView> {
    for (const [path, key] of [
      ['key', data.key],
      ['profilesKey', data.profilesKey],
    ] as const) {
      if (key !== undefined && !keyBelongsTo(key, context.workspaceId, 'exports')) {
        throw new DomainError(ErrorCode.ValidationFailed, `${path} must be in the workspace's exports folder`, {
          errors: [{ path, message: `must start with ${context.workspaceId}/exports/` }],
        });
      }
    }
    InteractionDatasetJob.validate(data);
    const params: InteractionDatasetParams = { ...data, context };
    const { job } = await this.ds.transaction((em) =>
      this.jobs.enqueue(em, this.datasets.definition, {
        workspaceId: context.workspaceId,
        requestedBy: context.actor.id,
        correlationId: context.correlationId,
        params,
        idempotencyKey: data.exportId,
        ignoreForIdempotency: ['context'],
      }),
    );
    this.runner.poke();
    return job;
  }
}
