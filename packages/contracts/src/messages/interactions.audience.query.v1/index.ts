import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { INTERACTION_TYPES, type InteractionType } from '../../interactions.js';
import { command } from '../../message.js';

/**
 * A retargeting audience: the contacts who had an interaction (received, opened, clicked,
 * converted, ...) with a campaign or canvas (optionally one step, variant or the control group),
 * or with any campaign or canvas that has a tag. Expired interaction data is left out; the
 * answer names the matched programs whose data is expired, so the caller can restore them.
 * Contacts come in contact id order; `cursor` is the last contact id of the previous page.
 */
export class AudienceQueryV1 {
  @IsIn(INTERACTION_TYPES) interaction!: InteractionType;
  @IsOptional() @IsUUID() programId?: string;
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @IsOptional() @IsString() @MaxLength(100) stepId?: string;
  @IsOptional() @IsString() @MaxLength(100) variantId?: string;
  @IsOptional() @IsBoolean() controlGroup?: boolean;
  @IsOptional() @IsUUID() cursor?: string;
  @IsOptional() @IsInt() @Min(1) @Max(10_000) limit?: number;
}

/** How many expired programs an audience page names at most. */
export const AUDIENCE_EXPIRED_PROGRAMS_MAX = 1000;

export interface AudiencePage {
  /** Up to `limit` contacts, fewer when they would make too large an answer: follow `nextCursor` until it is null. */
  contactIds: string[];
  nextCursor: string | null;
  /** The matched programs whose data is expired, in id order, at most AUDIENCE_EXPIRED_PROGRAMS_MAX (a restore by tag brings back every one). */
  expiredProgramIds: string[];
}

export const audienceQueryV1 = command<AudienceQueryV1, AudiencePage>(
  'interactions.audience.query.v1',
  AudienceQueryV1,
  { interaction: 'clicked', programId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', variantId: 'a', limit: 1000 },
  'AudiencePage',
);
