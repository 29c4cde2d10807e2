import { IsBoolean, IsInt, IsUUID, Min } from 'class-validator';
import { event } from '../../message.js';

export class ArchiveRestoreStartedV1 {
  @IsUUID() jobId!: string;
  @IsInt() @Min(0) contacts!: number;
  /** An automatic restore (a form submitted by an archived contact). */
  @IsBoolean() automatic!: boolean;
}

export const archiveRestoreStartedV1 = event('events.archive.restore.started.v1', ArchiveRestoreStartedV1, {
  jobId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  contacts: 12,
  automatic: false,
});
