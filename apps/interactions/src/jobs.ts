import { parseDuration } from '@custodian/config';
import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { InteractionsEnv } from './config.js';
import { ExpireJob } from './expiry/expire-job.js';
import { RestoreJob } from './restore/restores.js';

/** The interactions service's jobs: expiry of interaction data (and its restore). */
export const INTERACTIONS_JOBS = appJobs('interactions', DataSource, [InteractionsEnv, ExpireJob, RestoreJob], (deps) => {
  const [env, expire, restore] = deps as [InteractionsEnv, ExpireJob, RestoreJob];
  return {
    leaseMs: parseDuration(env.INTERACTIONS_JOB_LEASE),
    instanceId: env.INSTANCE_ID,
    handlers: { expire: (job, ctx) => expire.run(job, ctx), restore: (job, ctx) => restore.run(job, ctx) },
    onFinished: (em, job, details) => restore.onFinished(em, job, details),
  };
});
