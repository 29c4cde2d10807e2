import type { CommandContext, CreateDealV1, DeleteDealV1, GetDealV1, ListDealsV1, UpdateDealV1 } from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Controller, Inject } from '@nestjs/common';
import { DealsService } from './deals.service.js';

@Controller()
export class DealsHandlers {
  constructor(private readonly deals: DealsService, @Inject(LOGGER) readonly logger: Logger) {}

  @CommandHandler('contacts.deal.create.v1')
  create(data: CreateDealV1, context: CommandContext) { return this.deals.create(context, data); }

  @CommandHandler('contacts.deal.get.v1')
  get(data: GetDealV1, context: CommandContext) { return this.deals.get(context, data.id); }

  @CommandHandler('contacts.deal.list.v1')
  list(data: ListDealsV1, context: CommandContext) { return this.deals.list(context, data); }

  @CommandHandler('contacts.deal.update.v1')
  update(data: UpdateDealV1, context: CommandContext) { return this.deals.update(context, data); }

  @CommandHandler('contacts.deal.delete.v1')
  delete(data: DeleteDealV1, context: CommandContext) { return this.deals.delete(context, data.id); }
}
