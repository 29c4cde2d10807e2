import { IsArray, IsInt, IsOptional, IsString, IsUUID, Matches, Min } from 'class-validator';
import { event } from '../../message.js';

export class DatasetExportedV1 {
  @IsUUID() exportId!: string;
  @IsUUID() jobId!: string;
  @IsString() bucket!: string;
  @IsString() key!: string;
  @IsInt() @Min(0) rows!: number;
  @IsInt() @Min(0) bytes!: number;
  @Matches(/^[0-9a-f]{64}$/) sha256!: string;
  /** The file's columns, in order. */
  @IsOptional() @IsArray() @IsString({ each: true }) columns?: string[];
}

export const datasetExportedV1 = event('events.contacts.dataset.exported.v1', DatasetExportedV1, {
  exportId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  jobId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  bucket: 'custodian-exports',
  key: 'w1/exports/2026/11/22/0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1.csv',
  rows: 10,
  bytes: 512,
  sha256: 'b'.repeat(64),
  columns: ['id', 'email'],
});
