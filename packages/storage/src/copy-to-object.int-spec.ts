import { zstdDecompressSync } from 'node:zlib';
import { createAppDataSource, withRunner } from '@custodian/persistence';
import { stackEnv, waitFor } from '@custodian/testing';
import type { DataSource } from 'typeorm';
import { parseStorageConfig } from './config.js';
import { copyToObject } from './copy-to-object.js';
import { objectKey } from './keys.js';
import { ObjectStorage } from './object-storage.js';

const prefix = `t-${Math.random().toString(36).slice(2, 8)}-`;
const storage = new ObjectStorage({ ...parseStorageConfig(stackEnv()), bucketPrefix: prefix });
// No bucket: every upload to it fails, once its first part is full.
const missingBucket = new ObjectStorage({ ...parseStorageConfig(stackEnv()), bucketPrefix: `${prefix}missing-` });

describe('COPY into objects, on the real database and S3 server', () => {
  let ds: DataSource;

  beforeAll(async () => {
    // One connection: a connection left stuck behind a COPY would stall the next test.
    ds = createAppDataSource({ url: stackEnv().DATABASE_URL, schema: 'public', poolSize: 1 });
    await ds.initialize();
    await storage.ensureBuckets(['exports']);
  });
  afterAll(async () => {
    const keys: string[] = [];
    for await (const o of storage.list('exports', '')) keys.push(o.key);
    if (keys.length) await storage.removeMany('exports', keys);
    await storage.client.removeBucket(storage.bucket('exports'));
    await ds.destroy();
  });

  const rows = (n: number) => `copy (select n, md5(n::text) from generate_series(1, ${n}) n) to stdout with (format csv)`;

  it('compresses with zstd, counting rows, bytes and sha256 of the object', async () => {
    const key = objectKey('w1', 'exports', 'zstd', 'csv.zst');
    const stored = await withRunner(ds, (runner) => copyToObject(runner, rows(1000), storage, 'exports', key, { compression: 'zstd' }));
    const chunks: Buffer[] = [];
    for await (const c of await storage.download('exports', key)) chunks.push(c as Buffer);
    const lines = zstdDecompressSync(Buffer.concat(chunks)).toString('utf8').trimEnd().split('\n');
    expect([stored.rows, lines.length, lines[999]]).toEqual([1000, 1000, '1000,a9b7ba70783b617e9998dc4dd82eb3c5']);
    await storage.verify('exports', key, stored);
  });

  it('fails with the database error when the COPY fails midway, and leaves the connection usable', async () => {
    const key = objectKey('w1', 'exports', 'broken', 'csv.zst');
    await expect(
      withRunner(ds, (runner) =>
        copyToObject(runner, 'copy (select 1 / (300000 - n) from generate_series(1, 400000) n) to stdout', storage, 'exports', key, { compression: 'zstd' }),
      ),
    ).rejects.toThrow(/division by zero/);
    expect(await storage.stat('exports', key)).toBeNull();
    expect(await ds.query('select 1 as ok')).toEqual([{ ok: 1 }]);
  });

  it('ends the COPY when the upload fails midway, and the pool gives out a working connection', async () => {
    const key = objectKey('w1', 'exports', 'nowhere', 'csv.gz');
    await expect(
      withRunner(ds, (runner) => copyToObject(runner, rows(3_000_000), missingBucket, 'exports', key, { compression: 'gzip' })),
    ).rejects.toMatchObject({ code: 'STORAGE_UPLOAD_FAILED' });
    expect(await ds.query('select 1 as ok')).toEqual([{ ok: 1 }]);
    // And the server ends that COPY (it notices the closed connection at its next write).
    await waitFor(
      async () => {
        const [{ n }] = (await ds.query(`select count(*)::int as n from pg_stat_activity
        where query like 'copy (select n, md5(n::text) from generate_series(1, 3000000)%' and pid <> pg_backend_pid()`)) as [{ n: number }];
        return n === 0;
      },
      { timeoutMs: 10_000, what: 'the abandoned COPY to end' },
    );
  });
});
