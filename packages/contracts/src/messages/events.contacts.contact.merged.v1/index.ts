import { IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class ContactMergedV1 {
  @IsUUID() primaryId!: string;
  @IsUUID() duplicateId!: string;
  @IsString() duplicateEmail!: string;
}

export const contactMergedV1 = event('events.contacts.contact.merged.v1', ContactMergedV1, {
  primaryId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  duplicateId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  duplicateEmail: 'ada@old.example',
});
