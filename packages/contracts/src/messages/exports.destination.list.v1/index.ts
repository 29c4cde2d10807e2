import { command } from '../../message.js';

export class ListExportDestinationsV1 {}

export const listExportDestinationsV1 = command('exports.destination.list.v1', ListExportDestinationsV1, {}, '{ items: ExportDestinationView[] }');
