import { gunzipSync } from 'node:zlib';
import { createAppDataSource, isoTimestamp } from '@custodian/persistence';
import { stackEnv } from '@custodian/testing';
import type { DataSource } from 'typeorm';
import { parseStorageConfig } from './config.js';
import { DatasetFileError, writeDatasetFile } from './dataset-file.js';
import { objectKey } from './keys.js';
import { ObjectStorage } from './object-storage.js';

const prefix = `t-${Math.random().toString(36).slice(2, 8)}-`;
const storage = new ObjectStorage({ ...parseStorageConfig(stackEnv()), bucketPrefix: prefix });

describe('dataset files for exports, on the real database and S3 server', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = createAppDataSource({ url: stackEnv().DATABASE_URL, schema: 'public', poolSize: 2 });
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

  const read = async (key: string) => {
    const chunks: Buffer[] = [];
    for await (const c of await storage.download('exports', key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  it('writes what the query staged in the same snapshot, in the requested time zone, delimiter and compression', async () => {
    const key = objectKey('w1', 'exports', 'tz', 'csv.gz');
    const file = await writeDatasetFile(ds, storage, { key, timeZone: 'Europe/Berlin', delimiter: ';', compression: 'gzip' }, async (runner) => {
      await runner.query('create temp table staged (n int, at timestamptz) on commit drop');
      await runner.query(`insert into staged values (1, '2026-06-01 10:00:00+00'), (2, '2026-12-01 10:00:00+00')`);
      return { select: `select n, ${isoTimestamp('at')} as at from staged order by n`, columns: ['n', 'at'] };
    });
    const body = await read(key);
    expect(gunzipSync(body).toString('utf8')).toBe('n;at\n1;2026-06-01T12:00:00+02\n2;2026-12-01T11:00:00+01\n');
    expect(file).toMatchObject({ bucket: storage.bucket('exports'), key, rows: 2, bytes: body.length, columns: ['n', 'at'] });
  });

  it('refuses an unknown time zone with its code and writes nothing', async () => {
    const key = objectKey('w1', 'exports', 'mars', 'csv');
    let asked = 0;
    const failed = writeDatasetFile(ds, storage, { key, timeZone: 'Mars/Olympus' }, async () => {
      asked += 1;
      return { select: 'select 1 as n', columns: ['n'] };
    });
    await expect(failed).rejects.toBeInstanceOf(DatasetFileError);
    await expect(failed).rejects.toMatchObject({ code: 'DATASET_BAD_TIME_ZONE', message: 'unknown time zone "Mars/Olympus"' });
    expect(asked).toBe(0);
    expect(await storage.stat('exports', key)).toBeNull();
  });

  it('leaves no file when the select fails midway, and gives its connection back', async () => {
    const key = objectKey('w1', 'exports', 'broken', 'csv');
    // Three failures on a pool of two: a connection kept (or left in its failed transaction) would stall or fail the next.
    for (let i = 0; i < 3; i += 1) {
      await expect(
        writeDatasetFile(ds, storage, { key }, async () => ({
          select: 'select 1 / (3 - n) as x from generate_series(1, 5) n',
          columns: ['x'],
        })),
      ).rejects.toMatchObject({ message: expect.stringContaining('division by zero') });
    }
    expect(await storage.stat('exports', key)).toBeNull();
    const file = await writeDatasetFile(ds, storage, { key, header: false }, async () => ({ select: 'select 1 as x', columns: ['x'] }));
    expect(file.rows).toBe(1);
    expect((await read(key)).toString('utf8')).toBe('1\n');
  });
});
