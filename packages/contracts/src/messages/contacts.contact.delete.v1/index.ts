import { IsUUID } from 'class-validator';
import { command } from '../../message.js';

export class DeleteContactV1 {
  @IsUUID() id!: string;
}

export const deleteContactV1 = command<DeleteContactV1, { deleted: true }>(
  'contacts.contact.delete.v1',
  DeleteContactV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ deleted: true }',
);
