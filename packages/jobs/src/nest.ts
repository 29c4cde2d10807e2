import { DomainError, ErrorCode, jobGetSpec, type CommandContext, type GetJobV1, type JobView } from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import {
  Controller,
  Inject,
  Injectable,
  type InjectionToken,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
  type Type,
} from '@nestjs/common';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import type { JobDefinition } from './job-definition.js';
import { JobRunner } from './job-runner.js';
import { JobStore } from './job-store.js';

export interface AppJobs {
  /** The app's kinds of job (each with its run, end, time limit and priority). */
  jobs: JobDefinition[];
  leaseMs: number;
  concurrency?: number;
  instanceId?: string;
}

/** The instances Nest injects for a tuple of class tokens. */
type Instances<T extends readonly unknown[]> = { [K in keyof T]: T[K] extends abstract new (...args: never[]) => infer I ? I : unknown };

/**
 * The providers of an app's jobs: its JobStore, its JobRunner (started with the app, stopped with
 * it) and the `<app>.job.get.v1` handler. `build` receives the instances of the `inject` classes.
 */
export function appJobs<const T extends readonly Type<unknown>[]>(
  app: string,
  dataSource: InjectionToken,
  inject: T,
  build: (...deps: Instances<T>) => AppJobs,
): { providers: Provider[]; controller: Type<unknown> } {
  @Injectable()
  class JobRunnerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
    constructor(@Inject(JobRunner) private readonly runner: JobRunner) {}
    onApplicationBootstrap(): void {
      this.runner.start();
    }
    async onApplicationShutdown(): Promise<void> {
      await this.runner.stop();
    }
  }

  @Controller()
  class JobsHandlers {
    constructor(
      private readonly jobs: JobStore,
      @Inject(LOGGER) readonly logger: Logger,
    ) {}

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
        const jobs = build(...(deps as Instances<T>));
        return new JobRunner(ds, {
          instanceId: jobs.instanceId ?? `${app}-${hostname()}-${process.pid}`,
          jobs: jobs.jobs,
          leaseMs: jobs.leaseMs,
          concurrency: jobs.concurrency,
          pollIntervalMs: 500,
          logger,
        });
      },
    },
    JobRunnerLifecycle,
  ];
  return { providers, controller: JobsHandlers };
}
