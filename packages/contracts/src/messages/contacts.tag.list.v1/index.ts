import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { TagView } from '../../views.js';

export class ListTagsV1 extends PageQuery {}

export const listTagsV1 = command<ListTagsV1, Page<TagView>>('contacts.tag.list.v1', ListTagsV1, {}, 'Page<TagView>');
