import { IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class BackupExpiredV1 {
  @IsUUID() backupId!: string;
  @IsUUID() listId!: string;
  @IsString() listName!: string;
}

export const backupExpiredV1 = event('events.backups.backup.expired.v1', BackupExpiredV1, {
  backupId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listName: 'Newsletter',
});
