import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';

/** Campaigns and canvases: the messaging programs whose interaction data the interactions service keeps. */
export const ProgramKind = { Campaign: 'campaign', Canvas: 'canvas' } as const;
export type ProgramKind = (typeof ProgramKind)[keyof typeof ProgramKind];
export const PROGRAM_KINDS = Object.values(ProgramKind);

export const ProgramStatus = { Draft: 'draft', Active: 'active', Stopped: 'stopped' } as const;
export type ProgramStatus = (typeof ProgramStatus)[keyof typeof ProgramStatus];

export const InteractionType = {
  Received: 'received',
  Opened: 'opened',
  Clicked: 'clicked',
  Converted: 'converted',
  Bounced: 'bounced',
  Failed: 'failed',
} as const;
export type InteractionType = (typeof InteractionType)[keyof typeof InteractionType];
export const INTERACTION_TYPES = Object.values(InteractionType);

/** Where the interaction data of a campaign or canvas is: in PostgreSQL, about to leave it, in long-term storage, or coming back. */
export type InteractionDataState = 'live' | 'expiring' | 'expired' | 'restoring';

/** A step of a canvas, or a variant of a campaign or step: ids are the caller's, unique within the program. */
export class ProgramPart {
  @IsString() @Matches(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'id: 1 to 100 letters, digits or _.:-' }) id!: string;
  @IsString() @MaxLength(200) name!: string;
}

/**
 * Who a campaign or canvas targets again. Naming a program by id keeps its interaction data live
 * while this one is active; naming it through a tag does not.
 */
export class RetargetingFilter {
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsUUID('all', { each: true }) programIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(100, { each: true }) tags?: string[];
}

export class ProgramParts {
  @IsOptional() @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => ProgramPart) steps?: ProgramPart[];
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => ProgramPart) variants?: ProgramPart[];
}

export interface ProgramView {
  id: string;
  kind: ProgramKind;
  name: string;
  tags: string[];
  status: ProgramStatus;
  steps: ProgramPart[];
  variants: ProgramPart[];
  retargeting: { programIds: string[]; tags: string[] };
  createdAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
  lastActivityAt: string | null;
  interactionData: { state: InteractionDataState; expiresAt: string | null; expiredAt: string | null };
}

/** Conversations and messages: the messaging channels' traffic the interactions service keeps and the exports read. */
export const MESSAGE_CHANNELS = ['email', 'sms', 'whatsapp', 'messenger', 'instagram', 'telegram', 'line', 'viber', 'webchat', 'push'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];
export const MESSAGE_DIRECTIONS = ['inbound', 'outbound'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];
/** Delivery status: inbound messages are `received`; outbound ones go pending → sent → delivered → read, or end `failed`. */
export const MESSAGE_STATUSES = ['received', 'pending', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const CONVERSATION_STATUSES = ['open', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
