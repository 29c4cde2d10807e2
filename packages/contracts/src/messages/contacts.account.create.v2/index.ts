import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { AccountView } from '../../views.js';

/** Creates an account, linked to up to 1,000 contacts; more are linked with contacts.account.update.v2. */
export class CreateAccountV2 {
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsOptional() @IsString() @MaxLength(255) domain?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) contactIds?: string[];
}

export const createAccountV2 = command<CreateAccountV2, AccountView>(
  'contacts.account.create.v2',
  CreateAccountV2,
  { name: 'Acme', domain: 'acme.example', contactIds: ['1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1'] },
  'AccountView',
);
