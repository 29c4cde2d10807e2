import { IsBoolean, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import { PageQuery } from '../../shared-types.js';

export class ListArchivedContactsV1 extends PageQuery {
  @IsOptional() @IsString() @MaxLength(320) email?: string;
  /** Matches first or last name, case-insensitive, anywhere in the name. */
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsUUID() listId?: string;
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @IsOptional() @IsISO8601() archivedFrom?: string;
  @IsOptional() @IsISO8601() archivedTo?: string;
  @IsOptional() @IsBoolean() restorable?: boolean;
}

export const listArchivedContactsV1 = command('archive.contact.list.v1', ListArchivedContactsV1, { restorable: true, limit: 50 }, 'Page<ArchivedContactView>');
