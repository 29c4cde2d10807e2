import { IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

/**
 * The interaction data of a campaign or canvas left PostgreSQL for long-term object storage: a
 * gzipped CSV and its manifest (rows, bytes, sha256, time range). It is never deleted there.
 */
export class InteractionDataExpiredV1 {
  @IsUUID() programId!: string;
  @IsString() objectKey!: string;
  @IsString() manifestKey!: string;
  @IsInt() @Min(0) rows!: number;
  @IsInt() @Min(0) bytes!: number;
  @IsString() sha256!: string;
  @IsOptional() @IsTimestamp() firstAt!: string | null;
  @IsOptional() @IsTimestamp() lastAt!: string | null;
}

export const interactionDataExpiredV1 = event('events.interactions.data.expired.v1', InteractionDataExpiredV1, {
  programId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  objectKey: 'ws-1/interactions/2026/11/23/0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1-1.csv.gz',
  manifestKey: 'ws-1/interactions/2026/11/23/0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1-1.manifest.json',
  rows: 1200,
  bytes: 48213,
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  firstAt: '2026-05-01T08:00:00.000Z',
  lastAt: '2026-07-30T19:12:00.000Z',
});
