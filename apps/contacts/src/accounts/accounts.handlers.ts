import {
  createAccountV1,
  deleteAccountV1,
  getAccountV1,
  listAccountsV1,
  updateAccountV1,
  type CommandContext,
  type CreateAccountV1,
  type DeleteAccountV1,
  type GetAccountV1,
  type ListAccountsV1,
  type UpdateAccountV1,
} from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { AccountsService } from './accounts.service.js';

@Controller()
export class AccountsHandlers {
  constructor(private readonly accounts: AccountsService) {}

  @CommandHandler(createAccountV1)
  create(data: CreateAccountV1, context: CommandContext) {
    return this.accounts.create(context, data);
  }

  @CommandHandler(getAccountV1)
  get(data: GetAccountV1, context: CommandContext) {
    return this.accounts.get(context, data.id);
  }

  @CommandHandler(listAccountsV1)
  list(data: ListAccountsV1, context: CommandContext) {
    return this.accounts.list(context, data);
  }

  @CommandHandler(updateAccountV1)
  update(data: UpdateAccountV1, context: CommandContext) {
    return this.accounts.update(context, data);
  }

  @CommandHandler(deleteAccountV1)
  delete(data: DeleteAccountV1, context: CommandContext) {
    return this.accounts.delete(context, data.id);
  }
}
