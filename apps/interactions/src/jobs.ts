import { parseDuration } from '@custodian/config';
import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { InteractionsEnv } from './config.js';
import { ExpireJob } from './expiry/expire-job.js';

/** The interactions service's jobs: expiry of interaction data (and its restore). */
export const INTERACTIONS_JOBS = appJobs('interactions', DataSource, [InteractionsEnv, ExpireJob], (deps) => {
  const [env, expire] = deps as [InteractionsEnv, ExpireJob];
  return {
    leaseMs: parseDuration(env.INTERACTIONS_JOB_LEASE),
    instanceId: env.INSTANCE_ID,
    handlers: { expire: (job, ctx) => expire.run(job, ctx) },
  };
});
