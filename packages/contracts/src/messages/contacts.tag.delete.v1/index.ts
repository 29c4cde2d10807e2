import { IsUUID } from 'class-validator';
import { command } from '../../message.js';

export class DeleteTagV1 {
  @IsUUID() id!: string;
}

export const deleteTagV1 = command<DeleteTagV1, { deleted: true }>(
  'contacts.tag.delete.v1',
  DeleteTagV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ deleted: true }',
);
