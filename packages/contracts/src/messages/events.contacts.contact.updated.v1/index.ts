import { ArrayNotEmpty, IsArray, IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class ContactUpdatedV1 {
  @IsUUID() contactId!: string;
  @IsString() email!: string;
  /** Names of what changed: email, firstName, lastName, fields.<name>, tags. */
  @IsArray() @ArrayNotEmpty() @IsString({ each: true }) changed!: string[];
}

export const contactUpdatedV1 = event('events.contacts.contact.updated.v1', ContactUpdatedV1, {
  contactId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  email: 'ada@example.com',
  changed: ['lastName'],
});
