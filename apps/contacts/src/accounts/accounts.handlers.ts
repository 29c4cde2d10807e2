import type { CommandContext, CreateAccountV1, DeleteAccountV1, GetAccountV1, ListAccountsV1, UpdateAccountV1 } from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Controller, Inject } from '@nestjs/common';
import { AccountsService } from './accounts.service.js';

@Controller()
export class AccountsHandlers {
  constructor(private readonly accounts: AccountsService, @Inject(LOGGER) readonly logger: Logger) {}

  @CommandHandler('contacts.account.create.v1')
  create(data: CreateAccountV1, context: CommandContext) { return this.accounts.create(context, data); }

  @CommandHandler('contacts.account.get.v1')
  get(data: GetAccountV1, context: CommandContext) { return this.accounts.get(context, data.id); }

  @CommandHandler('contacts.account.list.v1')
  list(data: ListAccountsV1, context: CommandContext) { return this.accounts.list(context, data); }

  @CommandHandler('contacts.account.update.v1')
  update(data: UpdateAccountV1, context: CommandContext) { return this.accounts.update(context, data); }

  @CommandHandler('contacts.account.delete.v1')
  delete(data: DeleteAccountV1, context: CommandContext) { return this.accounts.delete(context, data.id); }
}
