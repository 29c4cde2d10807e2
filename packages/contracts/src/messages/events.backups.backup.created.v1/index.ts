import { IsIn, IsInt, IsString, IsUUID, Matches, Min } from 'class-validator';
import { ORIGINS, SNAPSHOT_REASONS, type Origin, type SnapshotReason } from '../../enums.js';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

export class BackupCreatedV1 {
  @IsUUID() backupId!: string;
  @IsUUID() listId!: string;
  @IsString() listName!: string;
  @IsIn(SNAPSHOT_REASONS) reason!: SnapshotReason;
  @IsIn(ORIGINS) causeOrigin!: Origin;
  @IsInt() @Min(0) rows!: number;
  @IsInt() @Min(0) bytes!: number;
  @Matches(/^[0-9a-f]{64}$/) sha256!: string;
  @IsTimestamp() expiresAt!: string;
}

export const backupCreatedV1 = event('events.backups.backup.created.v1', BackupCreatedV1, {
  backupId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listName: 'Newsletter',
  reason: 'import',
  causeOrigin: 'app',
  rows: 2,
  bytes: 120,
  sha256: 'a'.repeat(64),
  expiresAt: '2026-12-22T10:00:00.000Z',
});
