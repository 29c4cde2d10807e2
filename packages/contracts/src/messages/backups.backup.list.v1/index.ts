import { IsOptional, IsUUID } from 'class-validator';
import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { BackupView } from '../../views.js';
import { IsTimestamp } from '../../timestamp.js';

export class ListBackupsV1 extends PageQuery {
  @IsOptional() @IsUUID() listId?: string;
  @IsOptional() @IsTimestamp() from?: string;
  @IsOptional() @IsTimestamp() to?: string;
}

export const listBackupsV1 = command<ListBackupsV1, Page<BackupView>>(
  'backups.backup.list.v1',
  ListBackupsV1,
  { listId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', limit: 20 },
  'Page<BackupView>',
);
