import { IsUUID } from 'class-validator';
import { command } from '../../message.js';

export class DeleteDealV1 {
  @IsUUID() id!: string;
}

export const deleteDealV1 = command<DeleteDealV1, { deleted: true }>(
  'contacts.deal.delete.v1',
  DeleteDealV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ deleted: true }',
);
