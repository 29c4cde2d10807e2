import { IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class ImportFailedV1 {
  @IsUUID() jobId!: string;
  @IsUUID() listId!: string;
  @IsString() code!: string;
  @IsString() message!: string;
}

export const importFailedV1 = event('events.contacts.import.failed.v1', ImportFailedV1, {
  jobId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  code: 'CSV_UNBALANCED_QUOTES',
  message: 'row 12: unbalanced quotes',
});
