import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Min } from 'class-validator';
import { EXPORT_DATASETS, type ExportDataset } from '../../exports.js';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

/** An export ended: its file is ready (completed), or it failed, or it ran over the time limit (discarded). */
export class ExportEndedV1 {
  @IsUUID() exportId!: string;
  @IsIn(EXPORT_DATASETS) dataset!: ExportDataset;
  @IsString() status!: string;
  @IsOptional() @IsInt() @Min(0) rows?: number;
  @IsOptional() @IsInt() @Min(0) bytes?: number;
  @IsOptional() @Matches(/^[0-9a-f]{64}$/) sha256?: string;
  @IsOptional() @IsTimestamp() expiresAt?: string;
  @IsOptional() @IsString() code?: string;
  @IsOptional() @IsString() message?: string;
}

export const exportCompletedV1 = event('events.exports.export.completed.v1', ExportEndedV1, {
  exportId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  dataset: 'contacts',
  status: 'succeeded',
  rows: 10,
  bytes: 512,
  sha256: 'b'.repeat(64),
  expiresAt: '2026-11-30T10:00:00.000Z',
});
