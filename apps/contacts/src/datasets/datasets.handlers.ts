import { exportContactsDatasetV1, type CommandContext, type ExportContactsDatasetV1, type JobView, validationFailed } from '@custodian/contracts';
import { JobRunner, JobStore } from '@custodian/jobs';
import { CommandHandler } from '@custodian/messaging';
import { keyBelongsTo } from '@custodian/storage';
import { Controller } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatasetExportJob, type DatasetParams } from './dataset-export-job.js';

@Controller()
export class DatasetsHandlers {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly datasets: DatasetExportJob,
  ) {}

  @CommandHandler(exportContactsDatasetV1)
  async export(data: ExportContactsDatasetV1, context: CommandContext): Promise<JobView> {
    if (!keyBelongsTo(data.key, context.workspaceId, 'exports')) {
      throw validationFailed('key', `must start with ${context.workspaceId}/exports/`, "key must be in the workspace's exports folder");
    }
    DatasetExportJob.validateFields(data.fields);
    const params: DatasetParams = { ...data, context };
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
