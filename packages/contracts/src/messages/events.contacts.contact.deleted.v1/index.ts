import { IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class ContactDeletedV1 {
  @IsUUID() contactId!: string;
  @IsString() email!: string;
}

export const contactDeletedV1 = event('events.contacts.contact.deleted.v1', ContactDeletedV1, {
  contactId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  email: 'ada@example.com',
});
