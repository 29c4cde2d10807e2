import { command } from '../../message.js';
import { GetExportV1 } from '../exports.export.get.v1/index.js';

/** A fresh short-lived URL of a succeeded export's file while it is valid; EXPORT_EXPIRED (410) after. */
export const downloadExportV1 = command<GetExportV1, { url: string; expiresAt: string }>(
  'exports.export.download.v1',
  GetExportV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  '{ url, expiresAt }',
);
