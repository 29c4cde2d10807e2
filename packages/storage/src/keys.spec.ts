import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseStorageConfig } from './config.js';
import { hashingCounter } from './hashing.js';
import { keyBelongsTo, objectKey } from './keys.js';

describe('object keys', () => {
  it('follow <workspace>/<kind>/<yyyy>/<mm>/<dd>/<id>.<ext> in UTC', () => {
    expect(objectKey('w1', 'backups', 'abc', 'csv', new Date('2026-03-04T23:30:00-02:00'))).toBe('w1/backups/2026/03/05/abc.csv');
  });
  it('refuse ids that could escape the prefix', () => {
    expect(() => objectKey('w1/../w2', 'backups', 'abc', 'csv')).toThrow(/workspace/);
    expect(() => objectKey('w1', 'backups', '../x', 'csv')).toThrow(/id/);
  });
  it('belong to their workspace only', () => {
    expect(keyBelongsTo('w1/imports/2026/01/01/a.csv', 'w1', 'imports')).toBe(true);
    expect(keyBelongsTo('w10/imports/2026/01/01/a.csv', 'w1', 'imports')).toBe(false);
    expect(keyBelongsTo('w1/exports/2026/01/01/a.csv', 'w1', 'imports')).toBe(false);
  });
});

describe('storage configuration', () => {
  it('names what is missing', () => {
    expect(() => parseStorageConfig({ S3_ENDPOINT: 'nope' })).toThrow(/S3_ENDPOINT.*S3_ACCESS_KEY.*S3_SECRET_KEY/);
  });
});

describe('hashingCounter', () => {
  it('counts bytes and hashes while passing data through', async () => {
    const counter = hashingCounter();
    const out: Buffer[] = [];
    await pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), counter, async (s: AsyncIterable<Buffer>) => {
      for await (const c of s) out.push(c);
    });
    expect(Buffer.concat(out).toString()).toBe('hello world');
    expect(counter.result()).toEqual({ bytes: 11, sha256: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9' });
  });
});
