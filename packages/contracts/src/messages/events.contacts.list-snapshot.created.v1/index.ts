import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Min } from 'class-validator';
import { ORIGINS, SNAPSHOT_REASONS, type Origin, type SnapshotReason } from '../../enums.js';
import { event } from '../../message.js';

/**
 * A list as it was right before a back-office import or deletion changed it: every member with
 * fields and subscription status, as CSV in the backups bucket (the backups service catalogs it).
 */
export class ListSnapshotCreatedV1 {
  @IsUUID() snapshotId!: string;
  @IsUUID() listId!: string;
  @IsString() listName!: string;
  @IsIn(SNAPSHOT_REASONS) reason!: SnapshotReason;
  /** The import job or the deletion that caused it. */
  @IsOptional() @IsUUID() jobId?: string;
  @IsString() requestedBy!: string;
  @IsIn(ORIGINS) causeOrigin!: Origin;
  @IsString() bucket!: string;
  @IsString() key!: string;
  @IsInt() @Min(0) rows!: number;
  @IsInt() @Min(0) bytes!: number;
  @Matches(/^[0-9a-f]{64}$/) sha256!: string;
}

export const listSnapshotCreatedV1 = event('events.contacts.list-snapshot.created.v1', ListSnapshotCreatedV1, {
  snapshotId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listName: 'Newsletter',
  reason: 'import',
  jobId: '2b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  requestedBy: 'user-1',
  causeOrigin: 'app',
  bucket: 'custodian-backups',
  key: 'w1/backups/2026/11/22/0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1.csv',
  rows: 2,
  bytes: 120,
  sha256: 'a'.repeat(64),
});
