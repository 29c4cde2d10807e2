import { command } from '../../message.js';
import { PageQuery } from '../../shared-types.js';

export class ListAccountsV1 extends PageQuery {}

export const listAccountsV1 = command('contacts.account.list.v1', ListAccountsV1, { limit: 20 }, 'Page<AccountView>');
