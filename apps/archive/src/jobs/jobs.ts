import { DomainError, ErrorCode, type CommandContext, type GetJobV1 } from '@custodian/contracts';
import { parseDuration } from '@custodian/config';
import { JobRunner, JobStore } from '@custodian/jobs';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, metrics, type Logger } from '@custodian/observability';
import { Controller, Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { ArchiveEnv } from '../config.js';
import { RestoreJob } from '../restore/restores.js';

/** The archive service's jobs (restores), run by the shared job runner. */
export const JOB_PROVIDERS: Provider[] = [
  { provide: JobStore, inject: [DataSource], useFactory: (ds: DataSource) => new JobStore(ds) },
  {
    provide: JobRunner,
    inject: [DataSource, ArchiveEnv, LOGGER, RestoreJob],
    useFactory: (ds: DataSource, env: ArchiveEnv, logger: Logger, restores: RestoreJob) => new JobRunner(ds, {
      instanceId: env.INSTANCE_ID ?? `archive-${hostname()}-${process.pid}`,
      handlers: { restore: (job, ctx) => restores.run(job, ctx) },
      leaseMs: parseDuration(env.ARCHIVE_JOB_LEASE),
      pollIntervalMs: 500,
      onFinished: async (em, job, details) => {
        metrics.jobsFinished.inc({ kind: job.kind, status: job.status });
        await restores.onFinished(em, job, details);
      },
      logger,
    }),
  },
];

@Injectable()
export class JobRunnerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(JobRunner) private readonly runner: JobRunner) {}
  onApplicationBootstrap(): void { this.runner.start(); }
  async onApplicationShutdown(): Promise<void> { await this.runner.stop(); }
}

@Controller()
export class JobsHandlers {
  constructor(private readonly jobs: JobStore, @Inject(LOGGER) readonly logger: Logger) {}

  @CommandHandler('archive.job.get.v1')
  async get(data: GetJobV1, context: CommandContext) {
    const job = await this.jobs.get(context.workspaceId, data.id);
    if (!job) throw new DomainError(ErrorCode.NotFound, `job ${data.id} not found`);
    return job;
  }
}
