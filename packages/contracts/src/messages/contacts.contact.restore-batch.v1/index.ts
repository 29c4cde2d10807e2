import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { command } from '../../message.js';
import { ContactSnapshot, SNAPSHOT_FIXTURE } from '../../snapshot.js';

/**
 * Deprecated by contacts.contact.restore-batch.v2 (snapshots through object storage); answered
 * during the deprecation window so replicas of the archive service on the older version keep
 * working. contacts.contact.restore.v1 for up to 500 contacts in one transaction. Each contact has its own
 * outcome: `{ contactId, ok, code?, message?, skipped? }` (code EMAIL_IN_USE, CONTACT_MERGED, CONTACT_EXISTS).
 */
export class RestoreContactsV1 {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => ContactSnapshot) snapshots!: ContactSnapshot[];
}

export interface RestoreBatchOutcome {
  contactId: string;
  ok: boolean;
  code?: string;
  message?: string;
  skipped?: string[];
}

export const restoreContactsV1 = command<RestoreContactsV1, RestoreBatchOutcome[]>(
  'contacts.contact.restore-batch.v1',
  RestoreContactsV1,
  { snapshots: [SNAPSHOT_FIXTURE] },
  'RestoreBatchOutcome[]',
);
