import { MessagingTables1763800000000 } from '@custodian/messaging';
import { ArchiveSchema1763800002100 } from './migrations/001-archive-schema.js';
import { ArchiveJobs1763800002200 } from './migrations/002-jobs.js';
import { WaitingRestores1763800002300 } from './migrations/003-waiting-restores.js';

export const SCHEMA = 'archive';
/** In order; a new one is appended, an applied one is never edited. */
export const MIGRATIONS = [MessagingTables1763800000000, ArchiveSchema1763800002100, ArchiveJobs1763800002200, WaitingRestores1763800002300];
