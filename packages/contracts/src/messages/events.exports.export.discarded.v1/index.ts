import { event } from '../../message.js';
import { ExportEndedV1 } from '../events.exports.export.completed.v1/index.js';

export const exportDiscardedV1 = event('events.exports.export.discarded.v1', ExportEndedV1, {
  exportId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  dataset: 'contacts',
  status: 'discarded',
  code: 'JOB_TIMED_OUT',
  message: 'the export ran longer than 15 minutes',
});
