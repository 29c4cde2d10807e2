import { IsArray, IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class ContactRestoredV1 {
  @IsUUID() contactId!: string;
  @IsString() email!: string;
  /** What could not come back, e.g. `list:<id>` for a deleted list. */
  @IsArray() @IsString({ each: true }) skipped!: string[];
}

export const contactRestoredV1 = event('events.contacts.contact.restored.v1', ContactRestoredV1, {
  contactId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  email: 'ada@example.com',
  skipped: [],
});
