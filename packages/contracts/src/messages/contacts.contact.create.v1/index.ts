import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { command } from '../../message.js';
import { Membership } from '../../shared-types.js';
import type { ContactView } from '../../views.js';

export class CreateContactV1 {
  @IsEmail() @MaxLength(320) email!: string;
  @IsOptional() @IsString() @MaxLength(200) firstName?: string;
  @IsOptional() @IsString() @MaxLength(200) lastName?: string;
  /** Custom fields: string values only, so they round-trip through CSV unchanged. */
  @IsOptional() @IsObject() fields?: Record<string, string>;
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => Membership) lists?: Membership[];
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) tags?: string[];
}

export const createContactV1 = command<CreateContactV1, ContactView>(
  'contacts.contact.create.v1',
  CreateContactV1,
  {
    email: 'ada@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
    fields: { city: 'London' },
  },
  'ContactView',
);
