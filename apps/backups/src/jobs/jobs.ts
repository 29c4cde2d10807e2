import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { BackupsEnv } from '../config.js';
import { RestoreJob } from '../restore/restore.js';

/** The backups service's jobs: restores. */
export const BACKUPS_JOBS = appJobs('backups', DataSource, [BackupsEnv, RestoreJob], (deps) => {
  const [env, restores] = deps as [BackupsEnv, RestoreJob];
  return {
    leaseMs: env.BACKUPS_JOB_LEASE,
    instanceId: env.INSTANCE_ID,
    handlers: { restore: (job, ctx) => restores.run(job, ctx) },
    onFinished: (em, job, details) => restores.onFinished(em, job, details),
  };
});
