import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { ContactView } from '../../views.js';

/** Adds and removes tags of one contact by name; unknown names in `add` create the tag. */
export class TagContactV1 {
  @IsUUID() id!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) add?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) remove?: string[];
}

export const tagContactV1 = command<TagContactV1, ContactView>(
  'contacts.contact.tag.v1',
  TagContactV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', add: ['vip'] },
  'ContactView',
);
