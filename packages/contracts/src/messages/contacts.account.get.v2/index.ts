import { IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { AccountView } from '../../views.js';

export class GetAccountV2 {
  @IsUUID() id!: string;
}

export const getAccountV2 = command<GetAccountV2, AccountView>(
  'contacts.account.get.v2',
  GetAccountV2,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  'AccountView',
);
