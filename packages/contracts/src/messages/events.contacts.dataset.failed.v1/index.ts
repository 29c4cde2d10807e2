import { IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class DatasetFailedV1 {
  @IsUUID() exportId!: string;
  @IsUUID() jobId!: string;
  @IsString() code!: string;
  @IsString() message!: string;
}

export const datasetFailedV1 = event('events.contacts.dataset.failed.v1', DatasetFailedV1, {
  exportId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  jobId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  code: 'DATASET_UNKNOWN_FIELD',
  message: 'unknown field "phone"',
});
