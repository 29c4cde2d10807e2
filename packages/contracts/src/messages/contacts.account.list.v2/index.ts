import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { AccountView } from '../../views.js';

export class ListAccountsV2 extends PageQuery {}

export const listAccountsV2 = command<ListAccountsV2, Page<AccountView>>('contacts.account.list.v2', ListAccountsV2, { limit: 20 }, 'Page<AccountView>');
