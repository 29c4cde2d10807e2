import { command } from '../../message.js';
import { PageQuery } from '../../shared-types.js';

export class ListListsV1 extends PageQuery {}

export const listListsV1 = command('contacts.list.list.v1', ListListsV1, { limit: 50 }, 'Page<ListView>');
