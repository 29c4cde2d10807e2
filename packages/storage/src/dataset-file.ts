import {
  datasetReport,
  validationFailed,
  type CommandContext,
  type DatasetExportedV1,
  type DatasetFailedV1,
  type EventSpec,
  type JobView,
} from '@custodian/contracts';
import { defineJob, JobFailure, type ClaimedJob, type JobDefinition, type JobStore } from '@custodian/jobs';
import { recordEvent } from '@custodian/messaging';
import { csvCopySql, csvHeaderLine, useTimeZone, withRunner } from '@custodian/persistence';
import type { DataSource, QueryRunner } from 'typeorm';
import { copyToObject } from './copy-to-object.js';
import { keyBelongsTo } from './keys.js';
import type { ObjectStorage } from './object-storage.js';

/** How the exports service asked for a dataset file (the parts every data owner honours alike). */
export interface DatasetFileRequest {
  key: string;
  timeZone?: string;
  delimiter?: ',' | ';';
  header?: boolean;
  compression?: 'none' | 'gzip';
}

export interface DatasetFile {
  bucket: string;
  key: string;
  rows: number;
  bytes: number;
  sha256: string;
  columns: string[];
}

/** A dataset request that cannot be written as asked; `code` is what the job ends with. */
export class DatasetFileError extends JobFailure {
  constructor(
    override readonly code: 'DATASET_BAD_TIME_ZONE',
    message: string,
  ) {
    super(code, message);
    this.name = 'DatasetFileError';
  }
}

/** What every data owner's dataset job is given: the request of an export, and who asked. */
export interface DatasetJobParams extends DatasetFileRequest {
  exportId: string;
  context: CommandContext;
}

export type DatasetJobResult = DatasetFile & { exportId: string };

/** The owner's events that tell the exports service how a dataset job ended. */
export interface DatasetReportEvents {
  exported: EventSpec<DatasetExportedV1>;
  failed: EventSpec<DatasetFailedV1>;
}

/**
 * The `dataset-export` job of a data owner: `write` writes the file (with writeDatasetFile); the
 * job's end reports it to the exports service with the owner's `reports` events
 * (`events.<owner>.dataset.exported|failed.v1`), in the transaction that ends the job.
 */
export function defineDatasetJob<P extends DatasetJobParams>(
  reports: DatasetReportEvents,
  write: (job: ClaimedJob<P>) => Promise<DatasetFile>,
  options: { priority?: number } = {},
): JobDefinition<P, DatasetJobResult> {
  return defineJob<P, DatasetJobResult>({
    kind: 'dataset-export',
    priority: options.priority,
    run: async (job, ctx) => {
      const file = await write(job);
      await ctx.progress(file.rows, file.rows);
      return { exportId: job.params.exportId, ...file };
    },
    onFinished: async (em, job) => {
      const report = datasetReport(job, job.params.exportId);
      if (report.outcome === 'exported') await recordEvent(em, reports.exported, job.params.context, report.data);
      else await recordEvent(em, reports.failed, job.params.context, report.data);
    },
  });
}

/**
 * Writes a dataset file for an export: in one repeatable-read transaction (a consistent snapshot)
 * set to the requested time zone, `query` may stage what its select reads and returns it; COPY
 * streams the rows as CSV into the exports bucket, never holding them in memory.
 */
export function writeDatasetFile(
  ds: DataSource,
  storage: ObjectStorage,
  request: DatasetFileRequest,
  query: (runner: QueryRunner) => Promise<{ select: string; columns: readonly string[] }>,
): Promise<DatasetFile> {
  return withRunner(ds, async (runner) => {
    await runner.startTransaction('REPEATABLE READ');
    try {
      const timeZone = request.timeZone ?? 'CET';
      if (!(await useTimeZone(runner.manager, timeZone))) throw new DatasetFileError('DATASET_BAD_TIME_ZONE', `unknown time zone "${timeZone}"`);
      const { select, columns } = await query(runner);
      const stored = await copyToObject(runner, csvCopySql(select, request), storage, 'exports', request.key, {
        compression: request.compression === 'gzip' ? 'gzip' : undefined,
        ...(request.header === false ? {} : { header: csvHeaderLine(columns, request.delimiter) }),
      });
      await runner.commitTransaction();
      return { bucket: storage.bucket('exports'), key: request.key, rows: stored.rows, bytes: stored.bytes, sha256: stored.sha256, columns: [...columns] };
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    }
  });
}

/** A dataset file's key must be in the requesting workspace's exports folder. */
export function checkDatasetKey(path: string, key: string | undefined, workspaceId: string): void {
  if (key !== undefined && !keyBelongsTo(key, workspaceId, 'exports')) {
    throw validationFailed(path, `must start with ${workspaceId}/exports/`, `${path} must be in the workspace's exports folder`);
  }
}

/**
 * Queues a data owner's dataset job for an export, once per export (the export's id is the
 * idempotency key, so a request sent again answers the same job).
 */
export async function queueDatasetJob<P extends DatasetJobParams>(
  ds: DataSource,
  jobs: JobStore,
  definition: JobDefinition<P, DatasetJobResult>,
  params: P,
): Promise<JobView> {
  const { context } = params;
  const { job } = await ds.transaction((em) =>
    jobs.enqueue(em, definition, {
      workspaceId: context.workspaceId,
      requestedBy: context.actor.id,
      correlationId: context.correlationId,
      params,
      idempotencyKey: params.exportId,
      ignoreForIdempotency: ['context'],
    }),
  );
  return job;
}
