import { ArrayMaxSize, IsArray, IsIn, IsInt, IsString, IsUUID, Min } from 'class-validator';
import { event } from '../../message.js';

/**
 * An account was created, changed or deleted. It carries the links the change made or removed
 * (at most 1,000 each, as a command makes them) and how many contacts the account has, never
 * every linked contact: that would grow with the account.
 */
export class AccountChangedV2 {
  @IsUUID() accountId!: string;
  @IsIn(['created', 'updated', 'deleted']) change!: 'created' | 'updated' | 'deleted';
  @IsString() name!: string;
  /** How many contacts are linked after the change; for a deletion, how many were linked (their links go with the account). */
  @IsInt() @Min(0) contactCount!: number;
  /** Contacts this change linked to the account. */
  @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) linkedContactIds!: string[];
  /** Contacts this change unlinked from the account (empty for a deletion: every link goes). */
  @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) unlinkedContactIds!: string[];
}

export const accountChangedV2 = event('events.contacts.account.changed.v2', AccountChangedV2, {
  accountId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  change: 'updated',
  name: 'Acme',
  contactCount: 12,
  linkedContactIds: ['1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1'],
  unlinkedContactIds: [],
});
