import { command } from '../../message.js';
import { ImportRejectsV1 } from '../contacts.import.rejects.v1/index.js';

/** A short-lived download link to the rows a lenient import repaired (row number, repair, values as imported). */
export class ImportRepairsV1 extends ImportRejectsV1 {}

export const importRepairsV1 = command<ImportRepairsV1, { url: string; expiresAt: string; rows: number }>(
  'contacts.import.repairs.v1',
  ImportRepairsV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ url: string, expiresAt: string, rows: number }',
);
