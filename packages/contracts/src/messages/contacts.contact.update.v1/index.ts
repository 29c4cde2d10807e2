import { IsEmail, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { ContactView } from '../../views.js';

/** Changes only what is given; `fields` entries are merged, an empty string removes one. */
export class UpdateContactV1 {
  @IsUUID() id!: string;
  @IsOptional() @IsEmail() @MaxLength(320) email?: string;
  @IsOptional() @IsString() @MaxLength(200) firstName?: string;
  @IsOptional() @IsString() @MaxLength(200) lastName?: string;
  @IsOptional() @IsObject() fields?: Record<string, string>;
}

export const updateContactV1 = command<UpdateContactV1, ContactView>(
  'contacts.contact.update.v1',
  UpdateContactV1,
  {
    id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    lastName: 'King',
    fields: { city: 'Paris' },
  },
  'ContactView',
);
