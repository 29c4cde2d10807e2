import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { JobView } from '../../shared-types.js';
import { IsTimestamp } from '../../timestamp.js';

export const INTERACTION_DATASETS = ['conversations', 'messages', 'failed_messages', 'users'] as const;
export type InteractionDataset = (typeof INTERACTION_DATASETS)[number];

/** Columns of each dataset, in their default order. */
export const INTERACTION_DATASET_COLUMNS: Record<InteractionDataset, readonly string[]> = {
  conversations: ['id', 'contactId', 'channel', 'status', 'assignee', 'closedBy', 'category', 'openedAt', 'firstResponseAt', 'closedAt', 'updatedAt'],
  messages: [
    'id',
    'conversationId',
    'contactId',
    'channel',
    'direction',
    'programId',
    'sender',
    'contentType',
    'text',
    'status',
    'failureReason',
    'at',
    'statusAt',
  ],
  failed_messages: ['id', 'conversationId', 'contactId', 'channel', 'programId', 'sender', 'contentType', 'text', 'failureReason', 'at', 'statusAt'],
  users: [
    'id',
    'email',
    'firstName',
    'lastName',
    'campaigns',
    'canvases',
    'received',
    'opened',
    'clicked',
    'converted',
    'bounced',
    'failed',
    'lastInteractionAt',
  ],
};

/** The header the `users` dataset expects of its profiles file: the contacts dataset with these fields. */
export const USER_PROFILE_COLUMNS = ['id', 'email', 'firstName', 'lastName'] as const;

/**
 * Asks the interactions service (the data owner) to stream a dataset as CSV into the exports
 * bucket under `key`, as a job; `exportId` makes the request idempotent. Ends with
 * events.interactions.dataset.exported.v1 (or .failed.v1).
 *
 * - conversations (by opening time), messages and failed_messages (failed outbound ones, by send
 *   time) take `from` (inclusive) and `to` (exclusive).
 * - users: one row per contact of `profilesKey` (a CSV in the workspace's exports folder with the
 *   header id,email,firstName,lastName, as the contacts dataset writes it) with a summary of its
 *   interactions. Data of campaigns and canvases whose interaction data is not live (expired,
 *   or being restored) is left out.
 * - `programId` narrows messages and the users summary to one campaign or canvas, `programTag` to
 *   those with the tag.
 */
export class ExportInteractionsDatasetV1 {
  @IsUUID() exportId!: string;
  @IsIn(INTERACTION_DATASETS) dataset!: InteractionDataset;
  @IsString() @MaxLength(1024) @Matches(/^[A-Za-z0-9_-]+\/exports\//) key!: string;
  @IsOptional() @IsTimestamp() from?: string;
  @IsOptional() @IsTimestamp() to?: string;
  @IsOptional() @IsString() @MaxLength(1024) @Matches(/^[A-Za-z0-9_-]+\/exports\//) profilesKey?: string;
  @IsOptional() @IsUUID() programId?: string;
  @IsOptional() @IsString() @MaxLength(100) programTag?: string;
  /** A subset of the dataset's columns, in this order; all of them when absent. */
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) fields?: string[];
  @IsOptional() @IsIn([',', ';']) delimiter?: ',' | ';';
  @IsOptional() @IsBoolean() header?: boolean;
  /** IANA time zone of the timestamps; default CET. */
  @IsOptional() @IsString() @MaxLength(64) timeZone?: string;
  @IsOptional() @IsIn(['none', 'gzip']) compression?: 'none' | 'gzip';
}

export const exportInteractionsDatasetV1 = command<ExportInteractionsDatasetV1, JobView>(
  'interactions.dataset.export.v1',
  ExportInteractionsDatasetV1,
  {
    exportId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    dataset: 'failed_messages',
    key: 'w1/exports/2026/11/22/0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1.csv',
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-11-01T00:00:00.000Z',
    timeZone: 'Europe/Madrid',
  },
  'JobView',
);
