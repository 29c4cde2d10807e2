import { MessagingTables1763800000000 } from '@custodian/messaging';
import { BackupsSchema1763800001100 } from './migrations/001-backups-schema.js';
import { BackupsJobs1763800001200 } from './migrations/002-jobs.js';

export const SCHEMA = 'backups';
/** In order; a new one is appended, an applied one is never edited. */
export const MIGRATIONS = [MessagingTables1763800000000, BackupsSchema1763800001100, BackupsJobs1763800001200];
