import { csvCopySql, useTimeZone, withRunner } from '@custodian/persistence';
import type { DataSource, QueryRunner } from 'typeorm';
import { copyToObject } from './copy-to-object.js';
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
export class DatasetFileError extends Error {
  constructor(readonly code: 'DATASET_BAD_TIME_ZONE', message: string) {
    super(message);
    this.name = 'DatasetFileError';
  }
}

/**
 * Writes a dataset file for an export: in one repeatable-read transaction (a consistent snapshot)
 * set to the requested time zone, `query` may stage what its select reads and returns it; COPY
 * streams the rows as CSV into the exports bucket, never holding them in memory.
 */
export function writeDatasetFile(
  ds: DataSource, storage: ObjectStorage, request: DatasetFileRequest,
  query: (runner: QueryRunner) => Promise<{ select: string; columns: readonly string[] }>,
): Promise<DatasetFile> {
  return withRunner(ds, async (runner) => {
    await runner.startTransaction('REPEATABLE READ');
    try {
      const timeZone = request.timeZone ?? 'CET';
      if (!(await useTimeZone(runner.manager, timeZone))) throw new DatasetFileError('DATASET_BAD_TIME_ZONE', `unknown time zone "${timeZone}"`);
      const { select, columns } = await query(runner);
      const stored = await copyToObject(runner, csvCopySql(select, request), storage, 'exports', request.key,
        { compression: request.compression === 'gzip' ? 'gzip' : undefined });
      await runner.commitTransaction();
      return { bucket: storage.bucket('exports'), key: request.key, rows: stored.rows, bytes: stored.bytes, sha256: stored.sha256, columns: [...columns] };
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    }
  });
}
