import { IsArray, IsInt, IsString, IsUUID, Min } from 'class-validator';
import { event } from '../../message.js';

/** The notification that restored interaction data is live again (retargeting, audiences and exports see it). */
export class InteractionRestoreCompletedV1 {
  @IsUUID() jobId!: string;
  @IsArray() @IsString({ each: true }) programIds!: string[];
  @IsInt() @Min(0) rows!: number;
}

export const interactionRestoreCompletedV1 = event('events.interactions.restore.completed.v1', InteractionRestoreCompletedV1, {
  jobId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  programIds: ['6f1c1f7e-2b7a-4f55-9a0e-1b2c3d4e5f60'],
  rows: 1200,
});
