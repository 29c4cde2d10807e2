import { IsObject, IsOptional, IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

export class ContactCreatedV1 {
  @IsUUID() contactId!: string;
  @IsString() email!: string;
  @IsOptional() @IsString() firstName?: string | null;
  @IsOptional() @IsString() lastName?: string | null;
  @IsObject() fields!: Record<string, string>;
  @IsTimestamp() createdAt!: string;
}

export const contactCreatedV1 = event('events.contacts.contact.created.v1', ContactCreatedV1, {
  contactId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: null,
  fields: {},
  createdAt: '2026-11-01T10:00:00.000Z',
});
