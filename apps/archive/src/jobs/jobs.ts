import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { ArchiveEnv } from '../config.js';
import { RestoreJob } from '../restore/restores.js';

/** The archive service's jobs: restores. */
export const ARCHIVE_JOBS = appJobs('archive', DataSource, [ArchiveEnv, RestoreJob], (deps) => {
  const [env, restores] = deps as [ArchiveEnv, RestoreJob];
  return {
    leaseMs: env.ARCHIVE_JOB_LEASE,
    instanceId: env.INSTANCE_ID,
    handlers: { restore: (job, ctx) => restores.run(job, ctx) },
    onFinished: (em, job, details) => restores.onFinished(em, job, details),
  };
});
