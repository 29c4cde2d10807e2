import { pipeline } from 'node:stream';
import { constants, createGzip, createZstdCompress } from 'node:zlib';
import { copyOutOn } from '@custodian/persistence';
import type { QueryRunner } from 'typeorm';
import type { ArtifactKind } from './keys.js';
import type { ObjectStorage, StoredObject } from './object-storage.js';

/**
 * Streams `COPY (query) TO STDOUT` on the runner's connection (and transaction) straight into an
 * object, compressed on request: rows, bytes and sha256 come back, nothing is held in memory.
 * gzip is for files people open; zstd (about three times faster at a smaller size) for archives
 * the platform reads back itself.
 */
export async function copyToObject(
  runner: QueryRunner,
  sql: string,
  storage: ObjectStorage,
  kind: ArtifactKind,
  key: string,
  options: { compression?: 'gzip' | 'zstd'; header?: string } = {},
): Promise<StoredObject & { rows: number }> {
  const { stream, rowCount } = await copyOutOn(runner, sql);
  // A header line written ahead of COPY's rows (see csvHeaderLine).
  if (options.header !== undefined) stream.unshift(Buffer.from(options.header));
  // Fastest levels: bulk CSV compresses well at any level, and a higher one would be the slowest step.
  // Output in 128 KiB pieces rather than 16 KiB: a quarter of the hand-offs between the compressor's thread and this one.
  const chunkSize = 128 * 1024;
  const compressor =
    options.compression === 'gzip'
      ? createGzip({ level: constants.Z_BEST_SPEED, chunkSize })
      : options.compression === 'zstd'
        ? createZstdCompress({ chunkSize, params: { [constants.ZSTD_c_compressionLevel]: 1 } })
        : null;
  // Linked both ways: a failed COPY fails the upload, and a failed upload ends the COPY.
  if (compressor) pipeline(stream, compressor, () => undefined);
  const body = compressor ?? stream;
  const contentType = options.compression === 'gzip' ? 'application/gzip' : options.compression === 'zstd' ? 'application/zstd' : 'text/csv; charset=utf-8';
  const stored = await storage.upload(kind, key, body, { contentType });
  return { ...stored, rows: rowCount() };
}
