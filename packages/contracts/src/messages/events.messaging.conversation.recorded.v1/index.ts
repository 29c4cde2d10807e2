import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { CONVERSATION_STATUSES, MESSAGE_CHANNELS, type ConversationStatus, type MessageChannel } from '../../interactions.js';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

/**
 * A conversation as it stands now, published when it opens, is assigned or closes. Stored by
 * `conversationId`: the version with the latest `updatedAt` wins.
 */
export class ConversationRecordedV1 {
  @IsUUID() conversationId!: string;
  @IsUUID() contactId!: string;
  @IsIn(MESSAGE_CHANNELS) channel!: MessageChannel;
  @IsIn(CONVERSATION_STATUSES) status!: ConversationStatus;
  /** The agent or team it is assigned to. */
  @IsOptional() @IsString() @MaxLength(200) assignee?: string;
  @IsOptional() @IsString() @MaxLength(200) closedBy?: string;
  /** Why it closed (resolved, spam, timeout, ...), as the closing agent chose it. */
  @IsOptional() @IsString() @MaxLength(200) category?: string;
  @IsTimestamp() openedAt!: string;
  @IsOptional() @IsTimestamp() firstResponseAt?: string;
  @IsOptional() @IsTimestamp() closedAt?: string;
  @IsTimestamp() updatedAt!: string;
}

export const conversationRecordedV1 = event('events.messaging.conversation.recorded.v1', ConversationRecordedV1, {
  conversationId: '7c2d1e0f-3a4b-4c5d-8e6f-7a8b9c0d1e2f',
  contactId: '9d7b0a8e-3c2f-4e1d-8b6a-5f4e3d2c1b0a',
  channel: 'whatsapp',
  status: 'closed',
  assignee: 'support-team',
  closedBy: 'agent-17',
  category: 'resolved',
  openedAt: '2026-11-23T09:00:00.000Z',
  firstResponseAt: '2026-11-23T09:02:00.000Z',
  closedAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
});
