import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { InteractionsEnv } from './config.js';
import { InteractionDatasetJob } from './datasets/dataset-export-job.js';
import { ExpireJob } from './expiry/expire-job.js';
import { RestoreJob } from './restore/restores.js';

/** The interactions service's jobs: expiry of interaction data, its restore, and datasets for exports. */
export const INTERACTIONS_JOBS = appJobs('interactions', DataSource, [InteractionsEnv, ExpireJob, RestoreJob, InteractionDatasetJob], (deps) => {
  const [env, expire, restore, datasets] = deps as [InteractionsEnv, ExpireJob, RestoreJob, InteractionDatasetJob];
  return {
    leaseMs: env.INTERACTIONS_JOB_LEASE,
    instanceId: env.INSTANCE_ID,
    concurrency: env.INTERACTIONS_JOB_CONCURRENCY,
    // An export waits on its dataset (under its own time limit); expiries and restores can wait.
    priority: ['dataset-export'],
    handlers: {
      expire: (job, ctx) => expire.run(job, ctx), restore: (job, ctx) => restore.run(job, ctx), 'dataset-export': (job, ctx) => datasets.run(job, ctx),
    },
    onFinished: async (em, job, details) => {
      await restore.onFinished(em, job, details);
      await datasets.onFinished(em, job, details);
    },
  };
});
