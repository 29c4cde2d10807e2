import { command } from '../../message.js';
import { PageQuery } from '../../shared-types.js';

export class ListTagsV1 extends PageQuery {}

export const listTagsV1 = command('contacts.tag.list.v1', ListTagsV1, {}, 'Page<TagView>');
