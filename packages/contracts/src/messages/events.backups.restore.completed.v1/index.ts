import { IsInt, IsUUID, Min } from 'class-validator';
import { event } from '../../message.js';

export class RestoreCompletedV1 {
  @IsUUID() jobId!: string;
  @IsUUID() backupId!: string;
  @IsUUID() listId!: string;
  @IsInt() @Min(0) created!: number;
  @IsInt() @Min(0) updated!: number;
  @IsInt() @Min(0) unchanged!: number;
}

export const restoreCompletedV1 = event('events.backups.restore.completed.v1', RestoreCompletedV1, {
  jobId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  backupId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listId: '2b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  created: 1,
  updated: 2,
  unchanged: 3,
});
