import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { ArchivedContactView } from '../../views.js';
import { IsTimestamp } from '../../timestamp.js';

export class ListArchivedContactsV1 extends PageQuery {
  @IsOptional() @IsString() @MaxLength(320) email?: string;
  /** Matches first or last name, case-insensitive, anywhere in the name. */
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsUUID() listId?: string;
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @IsOptional() @IsTimestamp() archivedFrom?: string;
  @IsOptional() @IsTimestamp() archivedTo?: string;
  @IsOptional() @IsBoolean() restorable?: boolean;
}

export const listArchivedContactsV1 = command<ListArchivedContactsV1, Page<ArchivedContactView>>(
  'archive.contact.list.v1',
  ListArchivedContactsV1,
  { restorable: true, limit: 50 },
  'Page<ArchivedContactView>',
);
