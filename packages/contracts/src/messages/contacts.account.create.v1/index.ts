import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { AccountViewV1 } from '../../views.js';

/**
 * Deprecated by contacts.account.create.v2, whose account carries a `contactCount` instead of every contact's id;
 * answered during the deprecation window. An account with many contacts may not fit in one
 * answer here (REPLY_TOO_LARGE).
 */
export class CreateAccountV1 {
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsOptional() @IsString() @MaxLength(255) domain?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) contactIds?: string[];
}

export const createAccountV1 = command<CreateAccountV1, AccountViewV1>(
  'contacts.account.create.v1',
  CreateAccountV1,
  { name: 'Acme', domain: 'acme.example' },
  'AccountViewV1',
);
