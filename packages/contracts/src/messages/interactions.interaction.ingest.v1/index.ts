import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID, ValidateNested } from 'class-validator';
import { InteractionRecordedV1 } from '../events.messaging.interaction.recorded.v1/index.js';
import { command } from '../../message.js';

/** One interaction of a contact with a campaign or canvas, as the JetStream event carries it, plus `id` (idempotency). */
export class InteractionInput extends InteractionRecordedV1 {
  @IsUUID() id!: string;
}

/**
 * A batch of interactions (at most 2,000, so the request stays well under NATS's message size).
 * All or nothing: an interaction naming a program of another workspace, or an unknown one,
 * refuses the batch with its index. An id already stored is counted as a duplicate, not stored twice.
 */
export class IngestInteractionsV1 {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(2000) @ValidateNested({ each: true }) @Type(() => InteractionInput) interactions!: InteractionInput[];
}

export interface IngestReply { received: number; stored: number; duplicates: number }

export const ingestInteractionsV1 = command('interactions.interaction.ingest.v1', IngestInteractionsV1, {
  interactions: [{ id: '6f1c1f7e-2b7a-4f55-9a0e-1b2c3d4e5f60', programId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', variantId: 'a',
    contactId: '9d7b0a8e-3c2f-4e1d-8b6a-5f4e3d2c1b0a', type: 'opened', at: '2026-11-23T10:00:00.000Z' }],
}, 'IngestReply');
