import { jobTablesMigration } from '@custodian/jobs';

/** The durable job table of the shared runner, in the interactions schema. */
export const InteractionsJobs1763800002500 = jobTablesMigration('InteractionsJobs1763800002500');
