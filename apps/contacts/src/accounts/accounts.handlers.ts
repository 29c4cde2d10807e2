import {
  createAccountV1,
  createAccountV2,
  deleteAccountV1,
  getAccountV1,
  getAccountV2,
  listAccountsV1,
  listAccountsV2,
  updateAccountV1,
  updateAccountV2,
  type AccountView,
  type AccountViewV1,
  type CommandContext,
  type CreateAccountV1,
  type CreateAccountV2,
  type DeleteAccountV1,
  type GetAccountV1,
  type GetAccountV2,
  type ListAccountsV1,
  type ListAccountsV2,
  type Page,
  type UpdateAccountV1,
  type UpdateAccountV2,
} from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { AccountsService } from './accounts.service.js';

@Controller()
export class AccountsHandlers {
  constructor(private readonly accounts: AccountsService) {}

  @CommandHandler(createAccountV2)
  create(data: CreateAccountV2, context: CommandContext): Promise<AccountView> {
    return this.accounts.create(context, data);
  }

  @CommandHandler(getAccountV2)
  get(data: GetAccountV2, context: CommandContext): Promise<AccountView> {
    return this.accounts.get(context, data.id);
  }

  @CommandHandler(listAccountsV2)
  list(data: ListAccountsV2, context: CommandContext): Promise<Page<AccountView>> {
    return this.accounts.list(context, data);
  }

  @CommandHandler(updateAccountV2)
  update(data: UpdateAccountV2, context: CommandContext): Promise<AccountView> {
    return this.accounts.update(context, data);
  }

  @CommandHandler(deleteAccountV1)
  delete(data: DeleteAccountV1, context: CommandContext) {
    return this.accounts.delete(context, data.id);
  }

  // The deprecated v1 commands: the same work, the account answered with every linked contact's id.

  @CommandHandler(createAccountV1)
  createV1(data: CreateAccountV1, context: CommandContext): Promise<AccountViewV1> {
    return this.accounts.createV1(context, data);
  }

  @CommandHandler(getAccountV1)
  getV1(data: GetAccountV1, context: CommandContext): Promise<AccountViewV1> {
    return this.accounts.getV1(context, data.id);
  }

  @CommandHandler(listAccountsV1)
  listV1(data: ListAccountsV1, context: CommandContext): Promise<Page<AccountViewV1>> {
    return this.accounts.listV1(context, data);
  }

  @CommandHandler(updateAccountV1)
  updateV1(data: UpdateAccountV1, context: CommandContext): Promise<AccountViewV1> {
    return this.accounts.updateV1(context, data);
  }
}
