import { stackEnv } from '@custodian/testing';
import type { DataSource } from 'typeorm';
import { createAppDataSource } from './data-source.js';
import { NotificationListener, notifyOnCommit } from './notifications.js';

const schema = `notify_test_${Math.random().toString(36).slice(2, 8)}`;
// Long enough that only a notification can end a wait within the test's time limit.
const NEVER = 10 * 60_000;

describe('notifications on commit, on the real database', () => {
  let ds: DataSource;
  let listener: NotificationListener;

  beforeAll(async () => {
    ds = createAppDataSource({ url: stackEnv().DATABASE_URL, schema, poolSize: 3 });
    await ds.initialize();
    listener = new NotificationListener(ds, 'things');
    await listener.start();
  });
  afterAll(async () => {
    await listener.stop();
    await ds.destroy();
  });

  it('wakes the wait for a payload when the transaction that sent it commits, and only that wait', async () => {
    const signal = new AbortController().signal;
    const mine = listener.expect('a', NEVER, signal);
    const other = listener.expect('b', NEVER, signal);
    await ds.transaction((em) => notifyOnCommit(em, 'things', 'a'));
    await expect(mine.woken).resolves.toBe('notified');
    other.cancel();
    await expect(other.woken).resolves.toBe('looked-again');
  });

  it('sends nothing for a transaction that rolls back', async () => {
    const wait = listener.expect('c', 500, new AbortController().signal);
    await expect(
      ds.transaction(async (em) => {
        await notifyOnCommit(em, 'things', 'c');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await expect(wait.woken).resolves.toBe('looked-again');
  });

  it("hears nothing of another schema's channel of the same name", async () => {
    const other = createAppDataSource({ url: stackEnv().DATABASE_URL, schema: `${schema}_other`, poolSize: 1 });
    await other.initialize();
    try {
      const wait = listener.expect('d', 500, new AbortController().signal);
      await other.transaction((em) => notifyOnCommit(em, 'things', 'd'));
      await expect(wait.woken).resolves.toBe('looked-again');
    } finally {
      await other.destroy();
    }
  });

  it('ends a wait with the reason of its signal', async () => {
    const stop = new AbortController();
    const wait = listener.expect('e', NEVER, stop.signal);
    stop.abort(new Error('the job was cancelled'));
    await expect(wait.woken).rejects.toThrow('the job was cancelled');
  });
});
