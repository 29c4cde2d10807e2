import { IsBoolean, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class RestoreStartedV1 {
  @IsUUID() jobId!: string;
  @IsUUID() backupId!: string;
  @IsUUID() listId!: string;
  @IsBoolean() listRecreated!: boolean;
}

export const restoreStartedV1 = event('events.backups.restore.started.v1', RestoreStartedV1, {
  jobId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  backupId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listId: '2b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listRecreated: false,
});
