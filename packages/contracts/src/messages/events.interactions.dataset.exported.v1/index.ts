import { event } from '../../message.js';
import { DatasetExportedV1 } from '../events.contacts.dataset.exported.v1/index.js';

/** An interactions dataset is in the exports bucket (the same payload as the contacts one). */
export const interactionsDatasetExportedV1 = event('events.interactions.dataset.exported.v1', DatasetExportedV1, {
  exportId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  jobId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  bucket: 'custodian-exports',
  key: 'w1/exports/2026/11/22/0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1.csv',
  rows: 10,
  bytes: 512,
  sha256: 'b'.repeat(64),
});
