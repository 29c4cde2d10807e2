import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import type { DatasetExportedV1 } from './messages/events.contacts.dataset.exported.v1/index.js';
import type { DatasetFailedV1 } from './messages/events.contacts.dataset.failed.v1/index.js';
import type { JobView } from './shared-types.js';

/** What can be exported: contacts from the contacts service, the rest from the interactions service. */
export const EXPORT_DATASETS = ['contacts', 'conversations', 'messages', 'failed_messages', 'users'] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];
/** Datasets that need a time range (`from`, `to`): the others are a picture of now. */
export const RANGED_DATASETS: readonly ExportDataset[] = ['conversations', 'messages', 'failed_messages'];

export const DELIVERY_METHODS = ['download', 'sftp', 'webdav'] as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];

/** Narrows an export: contacts (and users) by list or contact tag, messages (and users' summary) by campaign or canvas. */
export class ExportFilters {
  @IsOptional() @IsUUID() listId?: string;
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @IsOptional() @IsUUID() campaignId?: string;
}

/** An export is a job (its kind and result shown as the dataset, the file's figures and the request). */
export interface ExportView extends Omit<JobView, 'kind' | 'result'> {
  dataset: ExportDataset;
  /** The file can be downloaded until then (from the request, 7 days by default). */
  expiresAt: string | null;
  rows: number | null;
  bytes: number | null;
  sha256: string | null;
  request: {
    from: string | null;
    to: string | null;
    fields: string[] | null;
    filters: ExportFilters;
    timeZone: string;
    delimiter: ',' | ';';
    header: boolean;
    compression: 'none' | 'gzip';
  };
  delivery: {
    method: DeliveryMethod;
    destinationId: string | null;
    status: 'pending' | 'delivered' | 'failed' | null;
    attempts: number;
    error: string | null;
    deliveredAt: string | null;
  };
  notification: { url: string; status: 'pending' | 'delivered' | 'failed'; attempts: number; error: string | null } | null;
}

export interface ExportPage {
  items: ExportView[];
  nextCursor: string | null;
}

/**
 * What a data owner reports when its dataset job for an export has ended (the same payloads for
 * every owner, under `events.<owner>.dataset.exported|failed.v1`): the file, or why there is none.
 */
export function datasetReport(
  job: Pick<JobView, 'id' | 'status' | 'error'> & { result: object | null },
  exportId: string,
): { outcome: 'exported'; data: DatasetExportedV1 } | { outcome: 'failed'; data: DatasetFailedV1 } {
  if (job.status === 'succeeded') {
    const r = job.result as Omit<DatasetExportedV1, 'exportId' | 'jobId'>;
    return {
      outcome: 'exported',
      data: { exportId, jobId: job.id, bucket: r.bucket, key: r.key, rows: r.rows, bytes: r.bytes, sha256: r.sha256, columns: r.columns },
    };
  }
  return { outcome: 'failed', data: { exportId, jobId: job.id, code: job.error?.code ?? job.status, message: job.error?.message ?? job.status } };
}
