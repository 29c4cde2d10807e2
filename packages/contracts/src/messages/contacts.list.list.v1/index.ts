import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { ListView } from '../../views.js';

export class ListListsV1 extends PageQuery {}

export const listListsV1 = command<ListListsV1, Page<ListView>>('contacts.list.list.v1', ListListsV1, { limit: 50 }, 'Page<ListView>');
