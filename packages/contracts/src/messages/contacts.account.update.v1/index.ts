import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { AccountViewV1 } from '../../views.js';

/**
 * Deprecated by contacts.account.update.v2, whose account carries a `contactCount` instead of every contact's id;
 * answered during the deprecation window. An account with many contacts may not fit in one
 * answer here (REPLY_TOO_LARGE).
 */
export class UpdateAccountV1 {
  @IsUUID() id!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @IsOptional() @IsString() @MaxLength(255) domain?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) addContactIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) removeContactIds?: string[];
}

export const updateAccountV1 = command<UpdateAccountV1, AccountViewV1>(
  'contacts.account.update.v1',
  UpdateAccountV1,
  {
    id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    addContactIds: ['1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1'],
  },
  'AccountViewV1',
);
