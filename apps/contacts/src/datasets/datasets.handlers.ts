import { exportContactsDatasetV1, type CommandContext, type ExportContactsDatasetV1, type JobView } from '@custodian/contracts';
import { JobRunner, JobStore } from '@custodian/jobs';
import { CommandHandler } from '@custodian/messaging';
import { checkDatasetKey, queueDatasetJob } from '@custodian/storage';
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
    checkDatasetKey('key', data.key, context.workspaceId);
    DatasetExportJob.validateFields(data.fields);
    const job = await queueDatasetJob<DatasetParams>(this.ds, this.jobs, this.datasets.definition, { ...data, context });
    this.runner.poke();
    return job;
  }
}
