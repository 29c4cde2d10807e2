import { IsString, Matches, MaxLength } from 'class-validator';
import { command } from '../../message.js';

/**
 * Restores a batch of archived contacts in one transaction. The snapshots travel through object
 * storage (bulk data never rides on NATS): `snapshotsKey` is an object in the archive bucket
 * holding one ContactSnapshot JSON per line, as PostgreSQL `COPY ... TO STDOUT` (text format)
 * writes a single jsonb column. Each contact gets its own outcome, written as CSV next to it
 * (`contactId,code,message,skipped`; code empty when restored, else EMAIL_IN_USE, CONTACT_MERGED
 * or CONTACT_EXISTS; skipped lists what did not come back, space separated). The reply names
 * that object and counts the rows.
 */
export class RestoreContactsV2 {
  @IsString()
  @MaxLength(1024)
  @Matches(/^[A-Za-z0-9_-]+\/archive\//, { message: 'snapshotsKey must be an archive object key' })
  snapshotsKey!: string;
}

export interface RestoreBatchReply {
  outcomesKey: string;
  contacts: number;
  restored: number;
}

/** Where the outcomes of a batch are written: next to its snapshots, so both sides know it. */
export function restoreOutcomesKey(snapshotsKey: string): string {
  return snapshotsKey.replace(/(\.[a-z0-9]+)*$/, '-outcomes.csv');
}

export const restoreContactsV2 = command<RestoreContactsV2, RestoreBatchReply>(
  'contacts.contact.restore-batch.v2',
  RestoreContactsV2,
  { snapshotsKey: 'ws-1/archive/2026/11/22/restore-0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1-1.jsonl' },
  'RestoreBatchReply',
);
