import { IsArray, IsIn, IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class AccountChangedV1 {
  @IsUUID() accountId!: string;
  @IsIn(['created', 'updated', 'deleted']) change!: 'created' | 'updated' | 'deleted';
  @IsString() name!: string;
  /** The linked contacts after the change. */
  @IsArray() @IsUUID('all', { each: true }) contactIds!: string[];
}

export const accountChangedV1 = event('events.contacts.account.changed.v1', AccountChangedV1, {
  accountId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  change: 'created',
  name: 'Acme',
  contactIds: [],
});
