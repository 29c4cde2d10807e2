import { randomBytes, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { stackEnv, waitFor } from '@custodian/testing';
import { parseStorageConfig } from './config.js';
import { objectKey } from './keys.js';
import { ObjectStorage, StorageError } from './object-storage.js';

const prefix = `t-${Math.random().toString(36).slice(2, 8)}-`;
const storage = new ObjectStorage({ ...parseStorageConfig(stackEnv()), bucketPrefix: prefix });

/** A stream of `total` pseudo-random bytes made on the fly, and its sha256. */
function generated(total: number, chunk = 64 * 1024): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  let digest = '';
  const stream = new Readable({
    read() {
      if (sent >= total) {
        digest = hash.digest('hex');
        this.push(null);
        return;
      }
      const part = randomBytes(Math.min(chunk, total - sent));
      sent += part.length;
      hash.update(part);
      this.push(part);
    },
  });
  return { stream, sha256: () => digest };
}

async function text(r: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

describe('object storage on the real S3 server', () => {
  beforeAll(() => storage.ensureBuckets(['imports', 'exports']));
  afterAll(async () => {
    for (const kind of ['imports', 'exports'] as const) {
      const keys: string[] = [];
      for await (const o of storage.list(kind, '')) keys.push(o.key);
      if (keys.length) await storage.removeMany(kind, keys);
      await storage.client.removeBucket(storage.bucket(kind));
    }
  });

  it('creates buckets idempotently, even when asked twice at once', async () => {
    await Promise.all([storage.ensureBuckets(['imports']), storage.ensureBuckets(['imports'])]);
    expect(await storage.client.bucketExists(storage.bucket('imports'))).toBe(true);
  });

  it('uploads a 20 MB stream of unknown length in parts, with its sha256 and size', async () => {
    const key = objectKey('w1', 'imports', 'big', 'bin');
    const source = generated(20 * 1024 * 1024 + 123);
    const stored = await storage.upload('imports', key, source.stream);
    expect(stored).toEqual({ key, bytes: 20 * 1024 * 1024 + 123, sha256: source.sha256() });
    expect((await storage.stat('imports', key))?.bytes).toBe(stored.bytes);
    await storage.verify('imports', key, stored);
    await expect(storage.verify('imports', key, { ...stored, sha256: '0'.repeat(64) })).rejects.toMatchObject({ code: 'STORAGE_INTEGRITY' });
  });

  it('round-trips a small object and lists it by prefix', async () => {
    const key = objectKey('w2', 'exports', 'small', 'csv');
    const stored = await storage.upload('exports', key, Readable.from([Buffer.from('email\r\nada@example.com\r\n')]));
    expect(stored.bytes).toBe(24);
    expect(await text(await storage.download('exports', key))).toBe('email\r\nada@example.com\r\n');
    expect((await storage.readSmall('exports', key)).toString('utf8')).toBe('email\r\nada@example.com\r\n');
    await expect(storage.readSmall('exports', key, 10)).rejects.toMatchObject({ code: 'STORAGE_TOO_LARGE' });
    const listed: string[] = [];
    for await (const o of storage.list('exports', 'w2/')) listed.push(o.key);
    expect(listed).toEqual([key]);
  });

  it('leaves no object behind when the source fails midway', async () => {
    const key = objectKey('w1', 'imports', 'broken', 'csv');
    let sent = 0;
    const failing = new Readable({
      read() {
        sent += 1;
        if (sent > 200) this.destroy(new Error('source broke'));
        else this.push(randomBytes(64 * 1024));
      },
    });
    await expect(storage.upload('imports', key, failing)).rejects.toBeInstanceOf(StorageError);
    expect(await storage.stat('imports', key)).toBeNull();
  });

  it('signs download links that work, expire, and cannot be tampered with', async () => {
    const key = objectKey('w1', 'exports', 'signed', 'csv');
    await storage.upload('exports', key, Readable.from([Buffer.from('a,b\r\n')]));
    const url = await storage.presignedDownloadUrl('exports', key, { expiresInSeconds: 1, fileName: 'report.csv' });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toContain('report.csv');
    expect(await ok.text()).toBe('a,b\r\n');

    const tampered = url.replace('/w1/exports/', '/w2/exports/');
    expect(tampered).not.toBe(url);
    expect((await fetch(tampered)).status).toBe(403);

    await waitFor(async () => (await fetch(url)).status === 403, { timeoutMs: 10_000, intervalMs: 250, what: 'the link to expire' });
  });

  it('answers null for a missing object and removes idempotently', async () => {
    const key = objectKey('w1', 'exports', 'missing', 'csv');
    expect(await storage.stat('exports', key)).toBeNull();
    await expect(storage.download('exports', key)).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
    await storage.remove('exports', key);
    await storage.remove('exports', key);
  });
});
