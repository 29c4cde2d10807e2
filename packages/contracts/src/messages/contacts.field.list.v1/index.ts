import { command } from '../../message.js';
import type { FieldView } from '../../views.js';

/** All field definitions of the workspace, by name (bounded by the workspace's field limit). */
export class ListFieldsV1 {}

export const listFieldsV1 = command<ListFieldsV1, { items: FieldView[] }>('contacts.field.list.v1', ListFieldsV1, {}, '{ items: FieldView[] }');
