import { IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

/** A warning, once per period: the interaction data of this campaign or canvas expires at `expiresAt` unless there is activity first. */
export class InteractionDataExpiringV1 {
  @IsUUID() programId!: string;
  @IsString() name!: string;
  @IsTimestamp() expiresAt!: string;
}

export const interactionDataExpiringV1 = event('events.interactions.data.expiring.v1', InteractionDataExpiringV1, {
  programId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  name: 'Spring sale',
  expiresAt: '2027-02-20T10:00:00.000Z',
});
