import { command } from '../../message.js';
import { PageQuery } from '../../shared-types.js';
import type { ExportPage } from '../../exports.js';

/** The workspace's export history, newest first. */
export class ListExportsV1 extends PageQuery {}

export const listExportsV1 = command<ListExportsV1, ExportPage>('exports.export.list.v1', ListExportsV1, { limit: 20 }, 'ExportPage');
