import { jobTablesMigration } from '@custodian/jobs';

/** The durable job table of the shared runner, in the archive schema. */
export const ArchiveJobs1763800002200 = jobTablesMigration('ArchiveJobs1763800002200');
