import { IsUUID } from 'class-validator';
import { command } from '../../message.js';

/** Deletes the list and its memberships (the contacts stay). From the back office, a backup is taken first. */
export class DeleteListV1 {
  @IsUUID() id!: string;
}

export const deleteListV1 = command<DeleteListV1, { deleted: true; snapshotId: string | null }>(
  'contacts.list.delete.v1',
  DeleteListV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ deleted: true, snapshotId: string | null }',
);
