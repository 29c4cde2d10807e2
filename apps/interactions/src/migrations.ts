import { MessagingTables1763800000000 } from '@custodian/messaging';
import { InteractionsSchema1763800002400 } from './migrations/001-interactions-schema.js';
import { InteractionsJobs1763800002500 } from './migrations/002-jobs.js';
import { ExpiredSegments1763800002600 } from './migrations/003-expired-segments.js';
import { ExpiryWarnings1763800002700 } from './migrations/004-expiry-warnings.js';
import { InteractionsByProgram1763800002800 } from './migrations/005-interactions-by-program.js';
import { ConversationsAndMessages1763800002900 } from './migrations/006-conversations-and-messages.js';
import { SlimmerInteractionIndexes1763800003400 } from './migrations/007-slimmer-interaction-indexes.js';
import { PartitionProgramDefaults1763800003500 } from './migrations/008-partition-program-defaults.js';

export const SCHEMA = 'interactions';
/** In order; a new one is appended, an applied one is never edited. */
export const MIGRATIONS = [
  MessagingTables1763800000000,
  InteractionsSchema1763800002400,
  InteractionsJobs1763800002500,
  ExpiredSegments1763800002600,
  ExpiryWarnings1763800002700,
  InteractionsByProgram1763800002800,
  ConversationsAndMessages1763800002900,
  SlimmerInteractionIndexes1763800003400,
  PartitionProgramDefaults1763800003500,
];
