import { command } from '../../message.js';
import { GetExportV1 } from '../exports.export.get.v1/index.js';
import type { ExportView } from '../../exports.js';

/** Cancels a queued or running export; its partial file is removed. */
export const cancelExportV1 = command<GetExportV1, ExportView>(
  'exports.export.cancel.v1',
  GetExportV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  'ExportView',
);
