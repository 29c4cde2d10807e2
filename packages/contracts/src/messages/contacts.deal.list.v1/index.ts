import { IsOptional, IsUUID } from 'class-validator';
import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { DealView } from '../../views.js';

export class ListDealsV1 extends PageQuery {
  @IsOptional() @IsUUID() contactId?: string;
}

export const listDealsV1 = command<ListDealsV1, Page<DealView>>('contacts.deal.list.v1', ListDealsV1, { limit: 20 }, 'Page<DealView>');
