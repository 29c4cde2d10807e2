import { IsInt, IsUUID, Min } from 'class-validator';
import { event } from '../../message.js';

export class ArchiveRestoreCompletedV1 {
  @IsUUID() jobId!: string;
  @IsInt() @Min(0) restored!: number;
  @IsInt() @Min(0) conflicts!: number;
  @IsInt() @Min(0) skipped!: number;
}

export const archiveRestoreCompletedV1 = event('events.archive.restore.completed.v1', ArchiveRestoreCompletedV1, {
  jobId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  restored: 10,
  conflicts: 1,
  skipped: 1,
});
