import {
  createDealV1,
  deleteDealV1,
  getDealV1,
  listDealsV1,
  updateDealV1,
  type CommandContext,
  type CreateDealV1,
  type DeleteDealV1,
  type GetDealV1,
  type ListDealsV1,
  type UpdateDealV1,
} from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { DealsService } from './deals.service.js';

@Controller()
export class DealsHandlers {
  constructor(private readonly deals: DealsService) {}

  @CommandHandler(createDealV1)
  create(data: CreateDealV1, context: CommandContext) {
    return this.deals.create(context, data);
  }

  @CommandHandler(getDealV1)
  get(data: GetDealV1, context: CommandContext) {
    return this.deals.get(context, data.id);
  }

  @CommandHandler(listDealsV1)
  list(data: ListDealsV1, context: CommandContext) {
    return this.deals.list(context, data);
  }

  @CommandHandler(updateDealV1)
  update(data: UpdateDealV1, context: CommandContext) {
    return this.deals.update(context, data);
  }

  @CommandHandler(deleteDealV1)
  delete(data: DeleteDealV1, context: CommandContext) {
    return this.deals.delete(context, data.id);
  }
}
