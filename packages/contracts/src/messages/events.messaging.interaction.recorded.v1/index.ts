import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { interactionRecordedProblem } from '../../fast-checks.js';
import { INTERACTION_TYPES, type InteractionType } from '../../interactions.js';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

/**
 * Published by the messaging platform (sends, opens, clicks, conversions, bounces, failures); the
 * interactions service stores each once, keyed by the envelope's id. An event naming a campaign
 * or canvas its workspace does not have goes to `dead-letter.<subject>` with the reason.
 */
export class InteractionRecordedV1 {
  @IsUUID() programId!: string;
  @IsOptional() @IsString() @MaxLength(100) stepId?: string;
  @IsOptional() @IsString() @MaxLength(100) variantId?: string;
  @IsOptional() @IsBoolean() controlGroup?: boolean;
  @IsUUID() contactId!: string;
  @IsIn(INTERACTION_TYPES) type!: InteractionType;
  @IsTimestamp() at!: string;
}

export const interactionRecordedV1 = event(
  'events.messaging.interaction.recorded.v1',
  InteractionRecordedV1,
  {
    programId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    stepId: 'welcome',
    contactId: '9d7b0a8e-3c2f-4e1d-8b6a-5f4e3d2c1b0a',
    type: 'received',
    at: '2026-11-23T10:00:00.000Z',
  },
  interactionRecordedProblem,
);
