import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { AccountView } from '../../views.js';

/** Renames an account, changes its domain, links and unlinks up to 1,000 contacts each time. */
export class UpdateAccountV2 {
  @IsUUID() id!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @IsOptional() @IsString() @MaxLength(255) domain?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) addContactIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) removeContactIds?: string[];
}

export const updateAccountV2 = command<UpdateAccountV2, AccountView>(
  'contacts.account.update.v2',
  UpdateAccountV2,
  {
    id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    addContactIds: ['1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1'],
  },
  'AccountView',
);
