import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { command } from '../../message.js';

/** A short-lived download link to the rows a lenient import repaired (row number, repair, values as imported). */
export class ImportRepairsV1 {
  @IsUUID() id!: string;
  @IsOptional() @IsInt() @Min(60) @Max(86_400) expiresInSeconds?: number;
}

export const importRepairsV1 = command<ImportRepairsV1, { url: string; expiresAt: string; rows: number }>(
  'contacts.import.repairs.v1',
  ImportRepairsV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ url: string, expiresAt: string, rows: number }',
);
