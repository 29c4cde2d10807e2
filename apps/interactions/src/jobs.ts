import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { InteractionsEnv } from './config.js';
import { InteractionDatasetJob } from './datasets/dataset-export-job.js';
import { ExpireJob } from './expiry/expire-job.js';
import { RestoreJob } from './restore/restore-job.js';

/** The interactions service's jobs: expiry of interaction data, its restore, and datasets for exports. */
export const INTERACTIONS_JOBS = appJobs(
  'interactions',
  DataSource,
  [InteractionsEnv, ExpireJob, RestoreJob, InteractionDatasetJob],
  (env, expire, restore, datasets) => ({
    leaseMs: env.INTERACTIONS_JOB_LEASE,
    instanceId: env.INSTANCE_ID,
    concurrency: env.INTERACTIONS_JOB_CONCURRENCY,
    jobs: [expire.definition, restore.definition, datasets.definition],
  }),
);
