import { exportInteractionsDatasetV1, type CommandContext, type ExportInteractionsDatasetV1, type JobView } from '@custodian/contracts';
import { JobRunner, JobStore } from '@custodian/jobs';
import { CommandHandler } from '@custodian/messaging';
import { checkDatasetKey, queueDatasetJob } from '@custodian/storage';
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
    checkDatasetKey('key', data.key, context.workspaceId);
    checkDatasetKey('profilesKey', data.profilesKey, context.workspaceId);
    InteractionDatasetJob.validate(data);
    const job = await queueDatasetJob<InteractionDatasetParams>(this.ds, this.jobs, this.datasets.definition, { ...data, context });
    this.runner.poke();
    return job;
  }
}
