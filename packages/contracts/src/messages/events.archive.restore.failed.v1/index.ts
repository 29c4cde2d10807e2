import { IsInt, IsString, IsUUID, Min } from 'class-validator';
import { event } from '../../message.js';

export class ArchiveRestoreFailedV1 {
  @IsUUID() jobId!: string;
  @IsString() code!: string;
  @IsString() message!: string;
  /** Contacts restored before it failed. */
  @IsInt() @Min(0) restored!: number;
}

export const archiveRestoreFailedV1 = event('events.archive.restore.failed.v1', ArchiveRestoreFailedV1, {
  jobId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  code: 'JOB_ABANDONED',
  message: 'the process stopped',
  restored: 4,
});
