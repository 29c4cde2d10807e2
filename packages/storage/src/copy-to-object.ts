import { constants, createGzip } from 'node:zlib';
import { copyOutOn } from '@custodian/persistence';
import type { QueryRunner } from 'typeorm';
import type { ArtifactKind } from './keys.js';
import type { ObjectStorage, StoredObject } from './object-storage.js';

/**
 * Streams `COPY (query) TO STDOUT` on the runner's connection (and transaction) straight into an
 * object, gzipped on request: rows, bytes and sha256 come back, nothing is held in memory.
 */
export async function copyToObject(
  runner: QueryRunner, sql: string, storage: ObjectStorage, kind: ArtifactKind, key: string, options: { gzip?: boolean } = {},
): Promise<StoredObject & { rows: number }> {
  const { stream, rowCount } = await copyOutOn(runner, sql);
  // Fastest level: bulk CSV compresses well at any level, and gzip at the default would be the slowest step.
  const body = options.gzip ? stream.pipe(createGzip({ level: constants.Z_BEST_SPEED })) : stream;
  const stored = await storage.upload(kind, key, body, { contentType: options.gzip ? 'application/gzip' : 'text/csv; charset=utf-8' });
  return { ...stored, rows: rowCount() };
}
