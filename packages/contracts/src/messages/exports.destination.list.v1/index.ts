import { command } from '../../message.js';
import type { ExportDestinationView } from '../exports.destination.create.v1/index.js';

export class ListExportDestinationsV1 {}

export const listExportDestinationsV1 = command<ListExportDestinationsV1, { items: ExportDestinationView[] }>(
  'exports.destination.list.v1',
  ListExportDestinationsV1,
  {},
  '{ items: ExportDestinationView[] }',
);
