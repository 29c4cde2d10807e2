import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { JobView } from '../../shared-types.js';

/**
 * Brings expired interaction data back into PostgreSQL, as a job: the campaigns and canvases named
 * by id, those with the tag, or both (bulk). Programs whose data is live are reported, not touched.
 */
export class StartInteractionRestoreV1 {
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) programIds?: string[];
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @IsOptional() @IsString() @MaxLength(200) idempotencyKey?: string;
}

export const startInteractionRestoreV1 = command<StartInteractionRestoreV1, JobView>(
  'interactions.restore.start.v1',
  StartInteractionRestoreV1,
  { programIds: ['0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1'], tag: 'spring' },
  'JobView',
);
