import { IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { ContactView } from '../../views.js';

export class GetContactV1 {
  @IsUUID() id!: string;
}

export const getContactV1 = command<GetContactV1, ContactView>(
  'contacts.contact.get.v1',
  GetContactV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  'ContactView',
);
