import { event } from '../../message.js';
import { DatasetFailedV1 } from '../events.contacts.dataset.failed.v1/index.js';

/** An interactions dataset could not be written (the same payload as the contacts one). */
export const interactionsDatasetFailedV1 = event('events.interactions.dataset.failed.v1', DatasetFailedV1, {
  exportId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  jobId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  code: 'DATASET_BAD_PROFILES',
  message: 'the profiles file has no header',
});
