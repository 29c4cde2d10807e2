import { IsUUID } from 'class-validator';
import { command } from '../../message.js';

/** A short-lived link to a restore's per-contact outcomes (CSV). */
export class RestoreOutcomesV1 {
  @IsUUID() id!: string;
}

export const restoreOutcomesV1 = command<RestoreOutcomesV1, { url: string }>(
  'archive.restore.outcomes.v1',
  RestoreOutcomesV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ url: string }',
);
