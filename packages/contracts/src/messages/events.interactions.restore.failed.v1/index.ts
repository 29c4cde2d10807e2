import { IsArray, IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

/** A restore of interaction data ended without finishing; the programs it had not restored stay expired. */
export class InteractionRestoreFailedV1 {
  @IsUUID() jobId!: string;
  @IsArray() @IsString({ each: true }) programIds!: string[];
  @IsString() code!: string;
  @IsString() message!: string;
}

export const interactionRestoreFailedV1 = event('events.interactions.restore.failed.v1', InteractionRestoreFailedV1, {
  jobId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  programIds: ['6f1c1f7e-2b7a-4f55-9a0e-1b2c3d4e5f60'],
  code: 'SEGMENT_CORRUPT',
  message: 'sha256 does not match the manifest',
});
