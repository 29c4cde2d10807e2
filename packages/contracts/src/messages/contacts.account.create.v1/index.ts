import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { AccountView } from '../../views.js';

export class CreateAccountV1 {
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsOptional() @IsString() @MaxLength(255) domain?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) contactIds?: string[];
}

export const createAccountV1 = command<CreateAccountV1, AccountView>(
  'contacts.account.create.v1',
  CreateAccountV1,
  { name: 'Acme', domain: 'acme.example' },
  'AccountView',
);
