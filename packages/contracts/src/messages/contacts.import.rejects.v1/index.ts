import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { command } from '../../message.js';

/** A short-lived download link to an import's rejected rows (row number, reason, original values). */
export class ImportRejectsV1 {
  @IsUUID() id!: string;
  @IsOptional() @IsInt() @Min(60) @Max(86_400) expiresInSeconds?: number;
}

export const importRejectsV1 = command<ImportRejectsV1, { url: string; expiresAt: string; rows: number }>(
  'contacts.import.rejects.v1',
  ImportRejectsV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ url: string, expiresAt: string, rows: number }',
);
