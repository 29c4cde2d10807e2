import { IsUUID } from 'class-validator';
import { command } from '../../message.js';

export class DeleteAccountV1 {
  @IsUUID() id!: string;
}

export const deleteAccountV1 = command<DeleteAccountV1, { deleted: true }>(
  'contacts.account.delete.v1',
  DeleteAccountV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ deleted: true }',
);
