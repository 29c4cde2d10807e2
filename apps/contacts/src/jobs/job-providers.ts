import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { ContactsEnv } from '../config.js';
import { DatasetExportJob } from '../datasets/dataset-export-job.js';
import { ImportJob } from '../imports/import-job.js';
import { BulkArchiveJob } from '../lifecycle/bulk-archive-job.js';

/** The contacts service's jobs: imports, bulk archives, dataset exports. */
export const CONTACTS_JOBS = appJobs('contacts', DataSource, [ContactsEnv, ImportJob, BulkArchiveJob, DatasetExportJob], (deps) => {
  const [env, imports, archives, datasets] = deps as [ContactsEnv, ImportJob, BulkArchiveJob, DatasetExportJob];
  return {
    leaseMs: env.CONTACTS_JOB_LEASE,
    concurrency: env.CONTACTS_JOB_CONCURRENCY,
    instanceId: env.INSTANCE_ID,
    handlers: {
      import: (job, ctx) => imports.run(job, ctx),
      'archive-bulk': (job, ctx) => archives.run(job, ctx),
      'dataset-export': (job, ctx) => datasets.run(job, ctx),
    },
    onFinished: async (em, job, details) => {
      await imports.onFinished(em, job, details);
      await datasets.onFinished(em, job, details);
    },
  };
});
