import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { ArchiveEnv } from '../config.js';
import { RestoreJob } from '../restore/restore-job.js';

/** The archive service's jobs: restores. */
export const ARCHIVE_JOBS = appJobs('archive', DataSource, [ArchiveEnv, RestoreJob], (env, restores) => ({
  leaseMs: env.ARCHIVE_JOB_LEASE,
  instanceId: env.INSTANCE_ID,
  jobs: [restores.definition],
}));
