import { command } from '../../message.js';
import { GetJobV1 } from '../contacts.job.get.v1/index.js';
import type { JobView } from '../../shared-types.js';

export const archiveGetJobV1 = command<GetJobV1, JobView>('archive.job.get.v1', GetJobV1, { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' }, 'JobView');
