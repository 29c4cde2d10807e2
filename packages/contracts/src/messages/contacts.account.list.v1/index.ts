import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { AccountViewV1 } from '../../views.js';

/**
 * Deprecated by contacts.account.list.v2, whose account carries a `contactCount` instead of every contact's id;
 * answered during the deprecation window. An account with many contacts may not fit in one
 * answer here (REPLY_TOO_LARGE).
 */
export class ListAccountsV1 extends PageQuery {}

export const listAccountsV1 = command<ListAccountsV1, Page<AccountViewV1>>('contacts.account.list.v1', ListAccountsV1, { limit: 20 }, 'Page<AccountViewV1>');
