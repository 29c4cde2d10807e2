import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { DELIVERY_METHODS, EXPORT_DATASETS, ExportFilters, type DeliveryMethod, type ExportDataset, type ExportView } from '../../exports.js';
import { command } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

export class ExportDelivery {
  @IsIn(DELIVERY_METHODS) method!: DeliveryMethod;
  /** For sftp and webdav: one of the workspace's allowlisted destinations. */
  @IsOptional() @IsUUID() destinationId?: string;
}

/**
 * Requests an export, as a job (answered at once with the queued export). One export at a time
 * per workspace; after a discarded one (it ran over the time limit), the next may be requested
 * only after a cool-down counted from the discarded one's request.
 */
export class RequestExportV1 {
  @IsIn(EXPORT_DATASETS) dataset!: ExportDataset;
  /** Required for conversations, messages and failed_messages; at most a year apart. `to` is exclusive. */
  @IsOptional() @IsTimestamp() from?: string;
  @IsOptional() @IsTimestamp() to?: string;
  /** A subset of the dataset's columns, in this order; all of them when absent. */
  @IsOptional() @IsArray() @ArrayMaxSize(200) @IsString({ each: true }) @MaxLength(200, { each: true }) fields?: string[];
  @IsOptional() @ValidateNested() @Type(() => ExportFilters) filters?: ExportFilters;
  /** IANA time zone of the timestamps; default CET (configurable). */
  @IsOptional() @IsString() @MaxLength(64) timeZone?: string;
  @IsOptional() @IsIn([',', ';']) delimiter?: ',' | ';';
  @IsOptional() @IsBoolean() header?: boolean;
  @IsOptional() @IsIn(['none', 'gzip']) compression?: 'none' | 'gzip';
  @IsOptional() @ValidateNested() @Type(() => ExportDelivery) delivery?: ExportDelivery;
  /** Called (POST, signed as Standard Webhooks do) when the export ends. https, not a private address. */
  @IsOptional() @IsString() @MaxLength(2048) notificationUrl?: string;
  @IsOptional() @IsString() @MaxLength(200) idempotencyKey?: string;
}

export const requestExportV1 = command<RequestExportV1, ExportView>(
  'exports.export.request.v1',
  RequestExportV1,
  {
    dataset: 'failed_messages',
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-07-01T00:00:00.000Z',
    timeZone: 'Europe/Madrid',
    delimiter: ';',
    compression: 'gzip',
    notificationUrl: 'https://hooks.example.com/exports',
  },
  'ExportView',
);
