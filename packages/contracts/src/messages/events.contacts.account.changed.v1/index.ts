import { IsArray, IsIn, IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

/**
 * Deprecated by events.contacts.account.changed.v2, which carries what changed and a count
 * instead of every linked contact. During the deprecation window it is still published next to
 * v2, for accounts of up to ACCOUNT_CHANGED_V1_MAX_CONTACTS contacts: a larger account's list
 * would outgrow a message, and its changes are published as v2 only.
 */
export class AccountChangedV1 {
  @IsUUID() accountId!: string;
  @IsIn(['created', 'updated', 'deleted']) change!: 'created' | 'updated' | 'deleted';
  @IsString() name!: string;
  /** The linked contacts after the change. */
  @IsArray() @IsUUID('all', { each: true }) contactIds!: string[];
}

/** The most contacts an account may have for its changes to be published as v1 too. */
export const ACCOUNT_CHANGED_V1_MAX_CONTACTS = 1000;

export const accountChangedV1 = event('events.contacts.account.changed.v1', AccountChangedV1, {
  accountId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  change: 'created',
  name: 'Acme',
  contactIds: [],
});
