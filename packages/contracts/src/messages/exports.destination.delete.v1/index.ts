import { command } from '../../message.js';
import { GetExportV1 } from '../exports.export.get.v1/index.js';

/** Removes a destination from the allowlist; deliveries still pending to it fail. */
export const deleteExportDestinationV1 = command<GetExportV1, { deleted: true }>(
  'exports.destination.delete.v1',
  GetExportV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ deleted: true }',
);
