import { MessagingTables1763800000000 } from '@custodian/messaging';
import { ExportsSchema1763800003000 } from './migrations/001-exports-schema.js';
import { ExportsJobs1763800003100 } from './migrations/002-jobs.js';
import { DatasetColumns1763800003200 } from './migrations/003-dataset-columns.js';
import { DestinationsAndDeliveries1763800003300 } from './migrations/004-destinations-and-deliveries.js';
import { DestinationHostKeys1763800003600 } from './migrations/005-destination-host-keys.js';
import { FileRemovals1763800003700 } from './migrations/006-file-removals.js';

export const SCHEMA = 'exports';
/** In order; a new one is appended, an applied one is never edited. */
export const MIGRATIONS = [
  MessagingTables1763800000000,
  ExportsSchema1763800003000,
  ExportsJobs1763800003100,
  DatasetColumns1763800003200,
  DestinationsAndDeliveries1763800003300,
  DestinationHostKeys1763800003600,
  FileRemovals1763800003700,
];
