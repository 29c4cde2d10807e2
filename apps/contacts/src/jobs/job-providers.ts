import { parseDuration } from '@custodian/config';
import { JobRunner, JobStore, type JobHandler } from '@custodian/jobs';
import { LOGGER, metrics, type Logger } from '@custodian/observability';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { ContactsEnv } from '../config.js';
import { ImportJob } from '../imports/import-job.js';
import { BulkArchiveJob } from '../lifecycle/bulk-archive-job.js';
import { DatasetExportJob } from '../datasets/dataset-export-job.js';

/** The contacts service's jobs (imports, bulk archives, dataset exports), run by the shared job runner. */
export const JOB_PROVIDERS: Provider[] = [
  { provide: JobStore, inject: [DataSource], useFactory: (ds: DataSource) => new JobStore(ds) },
  {
    provide: JobRunner,
    inject: [DataSource, ContactsEnv, LOGGER, ImportJob, BulkArchiveJob, DatasetExportJob],
    useFactory: (ds: DataSource, env: ContactsEnv, logger: Logger, imports: ImportJob, archives: BulkArchiveJob, datasets: DatasetExportJob) => {
      const handlers: Record<string, JobHandler> = {
        import: (job, ctx) => imports.run(job, ctx),
        'archive-bulk': (job, ctx) => archives.run(job, ctx),
        'dataset-export': (job, ctx) => datasets.run(job, ctx),
      };
      return new JobRunner(ds, {
        instanceId: env.INSTANCE_ID ?? `contacts-${hostname()}-${process.pid}`,
        handlers,
        leaseMs: parseDuration(env.CONTACTS_JOB_LEASE),
        concurrency: env.CONTACTS_JOB_CONCURRENCY,
        pollIntervalMs: 500,
        onFinished: async (em, job, details) => {
        metrics.jobsFinished.inc({ kind: job.kind, status: job.status });
        await imports.onFinished(em, job, details);
        await datasets.onFinished(em, job, details);
      },
        logger,
      });
    },
  },
];

@Injectable()
export class JobRunnerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(JobRunner) private readonly runner: JobRunner) {}
  onApplicationBootstrap(): void {
    this.runner.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
