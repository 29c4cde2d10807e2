import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { FieldView } from '../../views.js';

/** The field definitions of the workspace, in the order they were defined, a page at a time. */
export class ListFieldsV1 extends PageQuery {}

export const listFieldsV1 = command<ListFieldsV1, Page<FieldView>>('contacts.field.list.v1', ListFieldsV1, {}, 'Page<FieldView>');
