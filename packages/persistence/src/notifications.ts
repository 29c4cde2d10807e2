import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** A notification channel of one app's schema, so deployments and apps sharing a database do not hear each other. */
export function channelOf(source: EntityManager | DataSource, name: string): string {
  const dataSource = 'dataSource' in source ? source.dataSource : source;
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  return `${name}_${schema}`;
}

/** Sends `payload` on a channel when the caller's transaction commits (PostgreSQL NOTIFY), and not at all if it rolls back. */
export async function notifyOnCommit(em: EntityManager, name: string, payload: string): Promise<void> {
  await em.query('select pg_notify($1, $2)', [channelOf(em, name), payload]);
}

/**
 * Listens on one channel (a connection of its own, LISTEN) and wakes whoever waits for a payload.
 * Every replica hears every commit, so a wait is woken whichever replica made the change. A
 * notification can be missed (the connection dropped, the change committed before the wait
 * began), so a waiter also looks again after `fallbackMs`: a miss costs latency, never an answer.
 */
export class NotificationListener {
  private runner?: QueryRunner;
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(
    private readonly ds: DataSource,
    private readonly name: string,
  ) {}

  async start(): Promise<void> {
    const runner = this.ds.createQueryRunner();
    const client = (await runner.connect()) as { on(event: 'notification', fn: (n: { channel: string; payload?: string }) => void): void };
    client.on('notification', (n) => {
      for (const wake of this.waiting.get(n.payload ?? '') ?? []) wake();
    });
    await runner.query(`listen "${channelOf(this.ds, this.name)}"`);
    this.runner = runner;
  }

  async stop(): Promise<void> {
    await this.runner?.release().catch(() => undefined);
    this.runner = undefined;
  }

  /**
   * A wait for the next notification of `payload`: `woken` resolves then (`notified`), or after
   * `fallbackMs` or a cancel (`looked-again`), and rejects with the signal's reason when it aborts. Start the wait before looking at what
   * it waits for, so a change committed in between still wakes it; `cancel` ends it early.
   */
  expect(payload: string, fallbackMs: number, signal: AbortSignal): { woken: Promise<'notified' | 'looked-again'>; cancel(): void } {
    let cancel = () => {};
    const woken = new Promise<'notified' | 'looked-again'>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const wakers = this.waiting.get(payload) ?? new Set<() => void>();
      this.waiting.set(payload, wakers);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        wakers.delete(wake);
        if (!wakers.size) this.waiting.delete(payload);
      };
      const wake = () => {
        done();
        resolve('notified');
      };
      const lookAgain = () => {
        done();
        resolve('looked-again');
      };
      const aborted = () => {
        done();
        reject(signal.reason);
      };
      const timer = setTimeout(lookAgain, fallbackMs);
      wakers.add(wake);
      signal.addEventListener('abort', aborted, { once: true });
      cancel = lookAgain;
    });
    return { woken, cancel: () => cancel() };
  }
}
