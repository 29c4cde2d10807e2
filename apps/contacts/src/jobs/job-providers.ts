import { appJobs } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { ContactsEnv } from '../config.js';
import { DatasetExportJob } from '../datasets/dataset-export-job.js';
import { ImportJob } from '../imports/import-job.js';
import { BulkArchiveJob } from '../lifecycle/bulk-archive-job.js';

/** The contacts service's jobs: imports, bulk archives, dataset exports. */
export const CONTACTS_JOBS = appJobs(
  'contacts',
  DataSource,
  [ContactsEnv, ImportJob, BulkArchiveJob, DatasetExportJob],
  (env, imports, archives, datasets) => ({
    leaseMs: env.CONTACTS_JOB_LEASE,
    concurrency: env.CONTACTS_JOB_CONCURRENCY,
    instanceId: env.INSTANCE_ID,
    jobs: [imports.definition, archives.definition, datasets.definition],
  }),
);
