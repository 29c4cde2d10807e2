import { ArrayMaxSize, IsArray, IsBoolean, IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { BackupPolicyView } from '../../views.js';

/** The whole policy: automatic backups on or off, and the lists excluded from them. */
export class SetBackupPolicyV1 {
  @IsBoolean() automaticBackups!: boolean;
  @IsArray() @ArrayMaxSize(10_000) @IsUUID('all', { each: true }) excludedListIds!: string[];
}

export const setBackupPolicyV1 = command<SetBackupPolicyV1, BackupPolicyView>(
  'backups.policy.set.v1',
  SetBackupPolicyV1,
  { automaticBackups: true, excludedListIds: [] },
  'BackupPolicyView',
);
