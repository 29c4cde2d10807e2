import { IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class RestoreFailedV1 {
  @IsUUID() jobId!: string;
  @IsUUID() backupId!: string;
  @IsString() code!: string;
  @IsString() message!: string;
}

export const restoreFailedV1 = event('events.backups.restore.failed.v1', RestoreFailedV1, {
  jobId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  backupId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  code: 'BACKUP_CORRUPT',
  message: 'sha256 mismatch',
});
