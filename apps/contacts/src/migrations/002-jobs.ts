import { jobTablesMigration } from '@custodian/jobs';

/** The durable job table of the shared runner, in the contacts schema. */
export const ContactsJobs1763800000200 = jobTablesMigration('ContactsJobs1763800000200');
