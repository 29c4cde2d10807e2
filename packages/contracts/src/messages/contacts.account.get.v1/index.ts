import { IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { AccountViewV1 } from '../../views.js';

/**
 * Deprecated by contacts.account.get.v2, whose account carries a `contactCount` instead of every contact's id;
 * answered during the deprecation window. An account with many contacts may not fit in one
 * answer here (REPLY_TOO_LARGE).
 */
export class GetAccountV1 {
  @IsUUID() id!: string;
}

export const getAccountV1 = command<GetAccountV1, AccountViewV1>(
  'contacts.account.get.v1',
  GetAccountV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  'AccountViewV1',
);
