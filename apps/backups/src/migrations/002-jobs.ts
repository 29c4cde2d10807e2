import { jobTablesMigration } from '@custodian/jobs';

/** The durable job table of the shared runner, in the backups schema. */
export const BackupsJobs1763800001200 = jobTablesMigration('BackupsJobs1763800001200');
