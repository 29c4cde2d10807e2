import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { ExportsEnv } from './config.js';
import { ExportRun } from './runs/export-run.js';

/** The exports service's jobs: one per export, mostly waiting on its data owner, so many run at once. */
export const EXPORTS_JOBS = appJobs('exports', DataSource, [ExportsEnv, ExportRun], (env, run) => ({
  leaseMs: env.EXPORTS_JOB_LEASE,
  instanceId: env.INSTANCE_ID,
  concurrency: env.EXPORTS_CONCURRENCY,
  jobs: [run.definition],
}));
