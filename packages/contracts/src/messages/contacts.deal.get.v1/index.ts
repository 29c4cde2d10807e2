import { IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { DealView } from '../../views.js';

export class GetDealV1 {
  @IsUUID() id!: string;
}

export const getDealV1 = command<GetDealV1, DealView>('contacts.deal.get.v1', GetDealV1, { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' }, 'DealView');
