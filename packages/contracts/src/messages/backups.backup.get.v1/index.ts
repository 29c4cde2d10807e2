import { IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { BackupView } from '../../views.js';

export class GetBackupV1 {
  @IsUUID() id!: string;
}

export const getBackupV1 = command<GetBackupV1, BackupView>('backups.backup.get.v1', GetBackupV1, { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' }, 'BackupView');
