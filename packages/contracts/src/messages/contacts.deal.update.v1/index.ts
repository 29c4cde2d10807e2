import { ArrayMaxSize, IsArray, IsNotEmpty, IsNumber, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { DealView } from '../../views.js';
import { MAX_DEAL_CONTACTS } from '../contacts.deal.create.v1/index.js';

/** Changes a deal; with addContactIds, the deal may have up to MAX_DEAL_CONTACTS contacts after the change. */
export class UpdateDealV1 {
  @IsUUID() id!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @IsOptional() @IsNumber({ maxDecimalPlaces: 2 }) amount?: number;
  @IsOptional() @IsString() @MaxLength(100) stage?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_DEAL_CONTACTS) @IsUUID('all', { each: true }) addContactIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_DEAL_CONTACTS) @IsUUID('all', { each: true }) removeContactIds?: string[];
  @IsOptional() @IsUUID() primaryContactId?: string;
}

export const updateDealV1 = command<UpdateDealV1, DealView>(
  'contacts.deal.update.v1',
  UpdateDealV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', stage: 'won' },
  'DealView',
);
