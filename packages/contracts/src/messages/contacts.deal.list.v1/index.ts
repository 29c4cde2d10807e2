import { IsOptional, IsUUID } from 'class-validator';
import { command } from '../../message.js';
import { PageQuery } from '../../shared-types.js';

export class ListDealsV1 extends PageQuery {
  @IsOptional() @IsUUID() contactId?: string;
}

export const listDealsV1 = command('contacts.deal.list.v1', ListDealsV1, { limit: 20 }, 'Page<DealView>');
