import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { MESSAGE_CHANNELS, MESSAGE_DIRECTIONS, MESSAGE_STATUSES, type MessageChannel, type MessageDirection, type MessageStatus } from '../../interactions.js';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

/**
 * A message as it stands now, published by the messaging platform when it is sent or received and
 * again at each change of its delivery status. Stored by `messageId`: the version with the latest
 * `statusAt` wins, so replays and events that arrive out of order change nothing.
 */
export class MessageRecordedV1 {
  @IsUUID() messageId!: string;
  @IsOptional() @IsUUID() conversationId?: string;
  @IsUUID() contactId!: string;
  @IsIn(MESSAGE_CHANNELS) channel!: MessageChannel;
  @IsIn(MESSAGE_DIRECTIONS) direction!: MessageDirection;
  /** The campaign or canvas that sent it (broadcasts included); absent for conversation replies. */
  @IsOptional() @IsUUID() programId?: string;
  /** Who sent an outbound message: an agent, a bot or an integration. */
  @IsOptional() @IsString() @MaxLength(200) sender?: string;
  @IsOptional() @IsString() @MaxLength(40) contentType?: string;
  @IsOptional() @IsString() @MaxLength(10_000) text?: string;
  @IsIn(MESSAGE_STATUSES) status!: MessageStatus;
  /** Why a failed message failed, as the channel said it. */
  @IsOptional() @IsString() @MaxLength(1000) failureReason?: string;
  /** When it was sent or received. */
  @IsTimestamp() at!: string;
  /** When the status took effect. */
  @IsTimestamp() statusAt!: string;
}

export const messageRecordedV1 = event('events.messaging.message.recorded.v1', MessageRecordedV1, {
  messageId: '5a8e7c1d-2b3f-4a6e-9c0d-1e2f3a4b5c6d',
  conversationId: '7c2d1e0f-3a4b-4c5d-8e6f-7a8b9c0d1e2f',
  contactId: '9d7b0a8e-3c2f-4e1d-8b6a-5f4e3d2c1b0a',
  channel: 'whatsapp',
  direction: 'outbound',
  sender: 'agent-17',
  contentType: 'text',
  text: 'Your order has shipped',
  status: 'failed',
  failureReason: 'recipient is not on WhatsApp',
  at: '2026-11-23T10:00:00.000Z',
  statusAt: '2026-11-23T10:00:02.000Z',
});
