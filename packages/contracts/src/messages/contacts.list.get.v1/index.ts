import { IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { ListView } from '../../views.js';

export class GetListV1 {
  @IsUUID() id!: string;
}

export const getListV1 = command<GetListV1, ListView>('contacts.list.get.v1', GetListV1, { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' }, 'ListView');
