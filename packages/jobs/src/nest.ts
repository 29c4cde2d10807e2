import { DomainError, ErrorCode, jobGetSpec, type CommandContext, type GetJobV1, type JobView } from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, metrics, type Logger } from '@custodian/observability';
import { Controller, Inject, Injectable, type InjectionToken, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider, type Type } from '@nestjs/common';
import { hostname } from 'node:os';
import type { DataSource, EntityManager } from 'typeorm';
import { JobRunner, type FinishedJobDetails, type JobHandler } from './job-runner.js';
import { JobStore } from './job-store.js';

export interface AppJobs {
  handlers: Record<string, JobHandler>;
  leaseMs: number;
  concurrency?: number;
  /** Kinds claimed before the others, in this order (see JobRunnerOptions.priority). */
  priority?: string[];
  instanceId?: string;
  /** Final events of the app's jobs, in the transaction that ends them. */
  onFinished?: (em: EntityManager, job: JobView, details: FinishedJobDetails) => Promise<void>;
}

/**
 * The providers of an app's jobs: its JobStore, its JobRunner (started with the app, stopped with
 * it) and the `<app>.job.get.v1` handler. `build` receives the instances of the `inject` tokens.
 */
export function appJobs(app: string, dataSource: InjectionToken, inject: InjectionToken[], build: (deps: unknown[]) => AppJobs): { providers: Provider[]; controller: Type<unknown> } {
  @Injectable()
  class JobRunnerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
    constructor(@Inject(JobRunner) private readonly runner: JobRunner) {}
    onApplicationBootstrap(): void { this.runner.start(); }
    async onApplicationShutdown(): Promise<void> { await this.runner.stop(); }
  }

  @Controller()
  class JobsHandlers {
    constructor(private readonly jobs: JobStore, @Inject(LOGGER) readonly logger: Logger) {}

    @CommandHandler(jobGetSpec(app))
    async get(data: GetJobV1, context: CommandContext): Promise<JobView> {
      const job = await this.jobs.get(context.workspaceId, data.id);
      if (!job) throw new DomainError(ErrorCode.NotFound, `job ${data.id} not found`);
      return job;
    }
  }

  const providers: Provider[] = [
    { provide: JobStore, inject: [dataSource], useFactory: (ds: DataSource) => new JobStore(ds) },
    {
      provide: JobRunner,
      inject: [dataSource, LOGGER, ...inject],
      useFactory: (ds: DataSource, logger: Logger, ...deps: unknown[]) => {
        const jobs = build(deps);
        return new JobRunner(ds, {
          instanceId: jobs.instanceId ?? `${app}-${hostname()}-${process.pid}`,
          handlers: jobs.handlers,
          leaseMs: jobs.leaseMs,
          concurrency: jobs.concurrency,
          priority: jobs.priority,
          pollIntervalMs: 500,
          logger,
          onFinished: async (em, job, details) => {
            metrics.jobsFinished.inc({ kind: job.kind, status: job.status });
            await jobs.onFinished?.(em, job, details);
          },
        });
      },
    },
    JobRunnerLifecycle,
  ];
  return { providers, controller: JobsHandlers };
}
