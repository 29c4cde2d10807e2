import { jobTablesMigration } from '@custodian/jobs';

/** The durable job table of the shared runner, in the exports schema: one row per export. */
export const ExportsJobs1763800003100 = jobTablesMigration('ExportsJobs1763800003100');
