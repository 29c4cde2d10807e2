import { IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { JobView } from '../../shared-types.js';

export class GetJobV1 {
  @IsUUID() id!: string;
}

/** Every app that runs jobs answers `<app>.job.get.v1` with the job resource (JobView). */
export const contactsGetJobV1 = command<GetJobV1, JobView>('contacts.job.get.v1', GetJobV1, { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' }, 'JobView');
