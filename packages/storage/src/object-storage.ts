import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { Client } from 'minio';
import type { StorageConfig } from './config.js';
import { attachmentDisposition } from './disposition.js';
import { hashingCounter } from './hashing.js';
import { ARTIFACT_KINDS, type ArtifactKind } from './keys.js';

export type StorageErrorCode = 'STORAGE_NOT_FOUND' | 'STORAGE_INTEGRITY' | 'STORAGE_UNAVAILABLE' | 'STORAGE_UPLOAD_FAILED' | 'STORAGE_TOO_LARGE';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

export interface StoredObject {
  key: string;
  bytes: number;
  sha256: string;
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);
const isNotFound = (err: unknown) => NOT_FOUND.has((err as { code?: string })?.code ?? '');

/**
 * Object storage over the MinIO client, speaking plain S3. Uploads stream in parts of `partSize`
 * bytes (memory holds at most one part), hashing and counting as they go. Every key is unique, so
 * an upload is never resumed (and ListMultipartUploads, which some servers lack, is never called).
 */
export class ObjectStorage {
  readonly client: Client;
  private readonly prefix: string;

  constructor(
    config: StorageConfig,
    private readonly partSize = 8 * 1024 * 1024,
  ) {
    const url = new URL(config.endpoint);
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      useSSL: url.protocol === 'https:',
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      region: config.region ?? 'us-east-1',
      pathStyle: true,
    });
    this.prefix = config.bucketPrefix ?? 'custodian-';
    if (partSize < 5 * 1024 * 1024) throw new Error('S3 parts are at least 5 MiB');
  }

  bucket(kind: ArtifactKind): string {
    return `${this.prefix}${kind}`;
  }

  /** Creates the missing buckets; safe when several processes do it at once. */
  async ensureBuckets(kinds: readonly ArtifactKind[] = ARTIFACT_KINDS): Promise<void> {
    for (const kind of kinds) {
      const bucket = this.bucket(kind);
      if (await this.client.bucketExists(bucket)) continue;
      try {
        await this.client.makeBucket(bucket);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err;
      }
    }
  }

  async upload(kind: ArtifactKind, key: string, source: Readable, options: { contentType?: string } = {}): Promise<StoredObject> {
    const bucket = this.bucket(kind);
    const headers = { 'Content-Type': options.contentType ?? 'text/csv; charset=utf-8' };
    const counter = hashingCounter();
    let uploadId: string | undefined;
    const etags: { part: number; etag: string }[] = [];
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let parts = 0;
    // One part on the wire while the next one fills: the source keeps flowing, memory stays at two parts.
    let inFlight: Promise<void> = Promise.resolve();
    const flushPart = async () => {
      const body = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      uploadId ??= await this.client.initiateNewMultipartUpload(bucket, key, headers);
      const part = (parts += 1);
      await inFlight;
      inFlight = this.client
        .uploadPart({ bucketName: bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: { 'Content-Length': body.length } }, body)
        .then(({ etag }) => {
          etags.push({ part, etag });
        });
      // Awaited before the next part or at the end; until then its failure is held, not unhandled.
      inFlight.catch(() => undefined);
    };
    try {
      await pipeline(source, counter, async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) {
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes >= this.partSize) await flushPart();
        }
      });
      if (uploadId === undefined) {
        // Small object: one PUT.
        await this.client.putObject(bucket, key, Buffer.concat(pending, pendingBytes), pendingBytes, headers);
      } else {
        if (pendingBytes > 0) await flushPart();
        await inFlight;
        await this.client.completeMultipartUpload(
          bucket,
          key,
          uploadId,
          etags.sort((a, b) => a.part - b.part),
        );
      }
    } catch (err) {
      await inFlight.catch(() => undefined);
      if (uploadId !== undefined) await this.client.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
      throw new StorageError('STORAGE_UPLOAD_FAILED', `upload of ${bucket}/${key} failed: ${(err as Error).message}`, { cause: err });
    }
    return { key, ...counter.result() };
  }

  async download(kind: ArtifactKind, key: string): Promise<Readable> {
    try {
      return await this.client.getObject(this.bucket(kind), key);
    } catch (err) {
      if (isNotFound(err)) throw new StorageError('STORAGE_NOT_FOUND', `no object ${key} in ${this.bucket(kind)}`, { cause: err });
      throw new StorageError('STORAGE_UNAVAILABLE', `could not read ${key}: ${(err as Error).message}`, { cause: err });
    }
  }

  async stat(kind: ArtifactKind, key: string): Promise<{ bytes: number; etag: string; lastModified: Date; metadata: Record<string, unknown> } | null> {
    try {
      const s = await this.client.statObject(this.bucket(kind), key);
      return { bytes: s.size, etag: s.etag, lastModified: s.lastModified, metadata: s.metaData };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw new StorageError('STORAGE_UNAVAILABLE', `could not stat ${key}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** A small object (a manifest) read whole; anything over `maxBytes` is refused rather than held in memory. */
  async readSmall(kind: ArtifactKind, key: string, maxBytes = 1024 * 1024): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of await this.download(kind, key)) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw new StorageError('STORAGE_TOO_LARGE', `object ${key} is over ${maxBytes} bytes; read it as a stream`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /** Reads the whole object (streaming) and checks its size and sha256. */
  async verify(kind: ArtifactKind, key: string, expected: { bytes: number; sha256: string }): Promise<void> {
    const counter = hashingCounter();
    await pipeline(await this.download(kind, key), counter, async (chunks: AsyncIterable<Buffer>) => {
      for await (const _ of chunks) {
        /* drain */
      }
    });
    const actual = counter.result();
    if (actual.bytes !== expected.bytes || actual.sha256 !== expected.sha256) {
      throw new StorageError(
        'STORAGE_INTEGRITY',
        `object ${key} does not match its manifest: expected ${expected.bytes} bytes sha256 ${expected.sha256}, found ${actual.bytes} bytes sha256 ${actual.sha256}`,
      );
    }
  }

  async presignedDownloadUrl(kind: ArtifactKind, key: string, options: { expiresInSeconds: number; fileName?: string }): Promise<string> {
    const headers = options.fileName ? { 'response-content-disposition': attachmentDisposition(options.fileName) } : undefined;
    return this.client.presignedGetObject(this.bucket(kind), key, options.expiresInSeconds, headers);
  }

  async remove(kind: ArtifactKind, key: string): Promise<void> {
    try {
      await this.client.removeObject(this.bucket(kind), key);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Removes the keys (missing ones are fine); throws when the server could not remove one, naming it. */
  async removeMany(kind: ArtifactKind, keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      // A batch delete answers per key: an error there is not thrown by the client.
      const failed = (await this.client.removeObjects(this.bucket(kind), keys.slice(i, i + 1000))) as unknown as {
        Key?: string;
        Code?: string;
        Message?: string;
      }[];
      const first = failed.find((f) => f.Code !== 'NoSuchKey');
      if (first) {
        throw new StorageError(
          'STORAGE_UNAVAILABLE',
          `could not remove ${failed.length} object(s) from ${this.bucket(kind)}, ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
        );
      }
    }
  }

  async *list(kind: ArtifactKind, prefix: string): AsyncIterable<{ key: string; bytes: number; lastModified: Date }> {
    for await (const item of this.client.listObjectsV2(this.bucket(kind), prefix, true)) {
      if (item.name) yield { key: item.name, bytes: item.size, lastModified: item.lastModified };
    }
  }
}
