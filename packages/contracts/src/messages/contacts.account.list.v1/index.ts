import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { AccountView } from '../../views.js';

export class ListAccountsV1 extends PageQuery {}

export const listAccountsV1 = command<ListAccountsV1, Page<AccountView>>('contacts.account.list.v1', ListAccountsV1, { limit: 20 }, 'Page<AccountView>');
