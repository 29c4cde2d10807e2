import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { JobView } from '../../shared-types.js';

/**
 * Imports the backup back into its list (upsert, with its subscription data), re-creating the list
 * under its old name if it was deleted. Nobody who is unsubscribed or bounced in the list now is
 * changed; members unsubscribed or bounced in the backup come back so. With `dryRun`, only counts.
 */
export class RestoreBackupV1 {
  @IsUUID() id!: string;
  @IsOptional() @IsBoolean() dryRun?: boolean;
  @IsOptional() @IsString() @MaxLength(200) idempotencyKey?: string;
}

/** The restore's job, and the list it restores into (re-created under its old name when it was deleted). */
export type RestoreBackupReply = JobView & { listId: string | null; listRecreated: boolean };

export const restoreBackupV1 = command<RestoreBackupV1, RestoreBackupReply>(
  'backups.backup.restore.v1',
  RestoreBackupV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  'JobView & { listId, listRecreated }',
);
