import { IsArray, IsIn, IsOptional, IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class DealChangedV1 {
  @IsUUID() dealId!: string;
  @IsIn(['created', 'updated', 'deleted']) change!: 'created' | 'updated' | 'deleted';
  @IsString() name!: string;
  @IsArray() @IsUUID('all', { each: true }) contactIds!: string[];
  @IsOptional() @IsUUID() primaryContactId?: string | null;
}

export const dealChangedV1 = event('events.contacts.deal.changed.v1', DealChangedV1, {
  dealId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  change: 'created',
  name: 'Renewal 2027',
  contactIds: ['1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1'],
  primaryContactId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
});
