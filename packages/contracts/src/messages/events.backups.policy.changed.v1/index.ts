import { ArrayMaxSize, IsArray, IsBoolean, IsUUID } from 'class-validator';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

/**
 * The backup policy of a workspace, owned by the backups service. Contacts keeps its own copy and
 * follows it when it decides whether to snapshot a list before a back-office import or deletion.
 * Each event carries the whole policy, so the newest one is all a consumer needs.
 */
export class BackupPolicyChangedV1 {
  @IsBoolean() automaticBackups!: boolean;
  @IsArray() @ArrayMaxSize(10_000) @IsUUID('all', { each: true }) excludedListIds!: string[];
  /** When the policy was changed; older events never overwrite newer ones. */
  @IsTimestamp() updatedAt!: string;
}

export const backupPolicyChangedV1 = event('events.backups.policy.changed.v1', BackupPolicyChangedV1, {
  automaticBackups: true,
  excludedListIds: ['0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1'],
  updatedAt: '2026-11-01T10:00:00.000Z',
});
