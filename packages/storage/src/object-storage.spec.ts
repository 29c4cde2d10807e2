import { ObjectStorage } from './object-storage.js';

describe('removing objects in batches', () => {
  const storage = new ObjectStorage({ endpoint: 'http://127.0.0.1:1', accessKey: 'a', secretKey: 'b' });
  const answering = (perKey: object[]) => {
    const batches: string[][] = [];
    Object.assign(storage.client, {
      removeObjects: async (_bucket: string, keys: string[]) => {
        batches.push(keys);
        return perKey;
      },
    });
    return batches;
  };

  it('sends 1,000 keys a request, and takes a missing key as removed', async () => {
    const batches = answering([{ Key: 'k1', Code: 'NoSuchKey', Message: 'gone' }]);
    await storage.removeMany(
      'exports',
      Array.from({ length: 2001 }, (_, i) => `k${i}`),
    );
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 1]);
  });

  it('throws, naming the key, when the server could not remove one', async () => {
    answering([{ Key: 'w1/exports/a.csv', Code: 'AccessDenied', Message: 'Access Denied.' }]);
    await expect(storage.removeMany('exports', ['w1/exports/a.csv'])).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: 'could not remove 1 object(s) from custodian-exports, w1/exports/a.csv: AccessDenied Access Denied.',
    });
  });
});
