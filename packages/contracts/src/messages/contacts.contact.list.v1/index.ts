import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { ContactView } from '../../views.js';

export class ListContactsV1 extends PageQuery {
  /** Exact match, case-insensitive. */
  @IsOptional() @IsString() @MaxLength(320) email?: string;
  @IsOptional() @IsUUID() listId?: string;
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  /** The contacts linked to an account (an account's contacts are not part of its view). */
  @IsOptional() @IsUUID() accountId?: string;
}

export const listContactsV1 = command<ListContactsV1, Page<ContactView>>(
  'contacts.contact.list.v1',
  ListContactsV1,
  { listId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', limit: 50 },
  'Page<ContactView>',
);
