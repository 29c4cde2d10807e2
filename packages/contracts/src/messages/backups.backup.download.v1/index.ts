import { IsUUID } from 'class-validator';
import { command } from '../../message.js';

/**
 * A short-lived download link to the backup's CSV (exactly as stored: it imports back unchanged),
 * and the file name it downloads as; BACKUP_EXPIRED once retention removed it.
 */
export class DownloadBackupV1 {
  @IsUUID() id!: string;
}

export const downloadBackupV1 = command<DownloadBackupV1, { url: string; expiresAt: string; fileName: string }>(
  'backups.backup.download.v1',
  DownloadBackupV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ url: string, expiresAt: string, fileName: string }',
);
