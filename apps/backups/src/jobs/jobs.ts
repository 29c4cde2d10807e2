import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { BackupsEnv } from '../config.js';
import { RestoreJob } from '../restore/restore-job.js';

/** The backups service's jobs: restores. */
export const BACKUPS_JOBS = appJobs('backups', DataSource, [BackupsEnv, RestoreJob], (env, restores) => ({
  leaseMs: env.BACKUPS_JOB_LEASE,
  instanceId: env.INSTANCE_ID,
  jobs: [restores.definition],
}));
