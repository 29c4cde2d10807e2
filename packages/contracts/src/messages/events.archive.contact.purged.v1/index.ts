import { IsEmail, IsUUID } from 'class-validator';
import { event } from '../../message.js';

/** A year after archiving, the snapshot is deleted for good. */
export class ArchivedContactPurgedV1 {
  @IsUUID() contactId!: string;
  @IsEmail() email!: string;
}

export const archivedContactPurgedV1 = event('events.archive.contact.purged.v1', ArchivedContactPurgedV1, {
  contactId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  email: 'ada@example.com',
});
