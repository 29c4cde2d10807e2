import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { ConversationRecordedV1 } from '../events.messaging.conversation.recorded.v1/index.js';
import { InteractionRecordedV1 } from '../events.messaging.interaction.recorded.v1/index.js';
import { MessageRecordedV1 } from '../events.messaging.message.recorded.v1/index.js';
import { command } from '../../message.js';

/** One interaction of a contact with a campaign or canvas, as the JetStream event carries it, plus `id` (idempotency). */
export class InteractionInput extends InteractionRecordedV1 {
  @IsUUID() id!: string;
}

/**
 * A batch of interactions, conversations and messages (at most 2,000 items in all, so the request
 * stays well under NATS's message size). All or nothing: an interaction naming a program of another
 * workspace, or an unknown one, refuses the batch with its index. An interaction id already stored
 * is counted as a duplicate; a conversation or message is stored unless a version at least as
 * recent is there already.
 */
export class IngestInteractionsV1 {
  @IsOptional() @IsArray() @ArrayMaxSize(2000) @ValidateNested({ each: true }) @Type(() => InteractionInput) interactions?: InteractionInput[];
  @IsOptional() @IsArray() @ArrayMaxSize(2000) @ValidateNested({ each: true }) @Type(() => ConversationRecordedV1) conversations?: ConversationRecordedV1[];
  @IsOptional() @IsArray() @ArrayMaxSize(2000) @ValidateNested({ each: true }) @Type(() => MessageRecordedV1) messages?: MessageRecordedV1[];
}

/** Interactions received, stored and already there; conversations and messages received and stored (the rest were not newer). */
export interface IngestReply {
  received: number;
  stored: number;
  duplicates: number;
  conversations: { received: number; stored: number };
  messages: { received: number; stored: number };
}

export const ingestInteractionsV1 = command<IngestInteractionsV1, IngestReply>(
  'interactions.interaction.ingest.v1',
  IngestInteractionsV1,
  {
    interactions: [
      {
        id: '6f1c1f7e-2b7a-4f55-9a0e-1b2c3d4e5f60',
        programId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
        variantId: 'a',
        contactId: '9d7b0a8e-3c2f-4e1d-8b6a-5f4e3d2c1b0a',
        type: 'opened',
        at: '2026-11-23T10:00:00.000Z',
      },
    ],
  },
  'IngestReply',
);
