import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsNumber, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { DealView } from '../../views.js';

/** The most contacts a deal has, so a deal and its events stay small whatever happens to it. */
export const MAX_DEAL_CONTACTS = 100;

/** A deal has one or more contacts (up to MAX_DEAL_CONTACTS) and exactly one primary contact among them. */
export class CreateDealV1 {
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsOptional() @IsNumber({ maxDecimalPlaces: 2 }) amount?: number;
  @IsOptional() @IsString() @MaxLength(100) stage?: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_DEAL_CONTACTS) @IsUUID('all', { each: true }) contactIds!: string[];
  @IsUUID() primaryContactId!: string;
}

export const createDealV1 = command<CreateDealV1, DealView>(
  'contacts.deal.create.v1',
  CreateDealV1,
  {
    name: 'Renewal 2027',
    amount: 1200.5,
    stage: 'proposal',
    contactIds: ['0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1'],
    primaryContactId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  },
  'DealView',
);
