import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { DataSource, QueryRunner } from 'typeorm';

/** The pg client behind a connected TypeORM query runner (COPY needs the raw protocol). */
export async function rawClient(runner: QueryRunner): Promise<PoolClient> {
  return (await runner.connect()) as PoolClient;
}

/**
 * `COPY ... TO STDOUT` on a client, as a stream. A COPY cannot be abandoned halfway on the wire:
 * when the stream is destroyed before its end (the consumer failed, or the COPY did), the
 * connection is closed, which ends the COPY and its transaction on the server, and the pool drops
 * it instead of handing it out stuck behind the COPY.
 */
function copyStream(client: PoolClient, sql: string): ReturnType<typeof copyTo> {
  const stream = client.query(copyTo(sql));
  stream.once('close', () => {
    // Marks the client ending at once (the pool will not hand it out again) and drops the socket under the COPY.
    if (!stream.readableEnded) client.end().catch(() => undefined);
  });
  // The connection's own failure is reported here too, possibly after the consumer has let go.
  stream.on('error', () => undefined);
  return stream;
}

/**
 * Streams `COPY ... TO STDOUT` as bytes. The connection is held until the stream ends or is
 * destroyed; the caller only consumes the stream.
 */
export function copyOut(dataSource: DataSource, sql: string): Readable {
  if (!/^\s*copy\b[\s\S]*\bto\s+stdout\b/i.test(sql)) throw new Error('copyOut expects COPY ... TO STDOUT');
  const out = new PassThrough();
  const runner = dataSource.createQueryRunner();
  (async () => {
    try {
      const client = await rawClient(runner);
      await pipeline(copyStream(client, sql), out);
    } catch (err) {
      out.destroy(err as Error);
    } finally {
      await runner.release();
    }
    // A failed release reaches the consumer as the stream's error (unless it has already read to the end, when nobody is left to tell).
  })().catch((err: unknown) => out.destroy(err as Error));
  return out;
}

/**
 * Streams `COPY ... TO STDOUT` on the runner's own connection (and transaction): what it reads
 * is what that transaction sees. `rowCount()` is known once the stream has ended.
 */
export async function copyOutOn(runner: QueryRunner, sql: string): Promise<{ stream: Readable; rowCount: () => number }> {
  if (!/^\s*copy\b[\s\S]*\bto\s+stdout\b/i.test(sql)) throw new Error('copyOutOn expects COPY ... TO STDOUT');
  const stream = copyStream(await rawClient(runner), sql);
  return { stream, rowCount: () => Number(stream.rowCount ?? 0) };
}

/** A SQL string literal (for statements such as COPY that take no bind parameters). */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('NUL byte in SQL literal');
  return `'${value.replace(/'/g, "''")}'`;
}

/** A SQL identifier, quoted. */
export function sqlIdentifier(name: string): string {
  if (name.includes('\0')) throw new Error('NUL byte in SQL identifier');
  return `"${name.replace(/"/g, '""')}"`;
}

/** Streams bytes into `COPY ... FROM STDIN` on the runner's connection (and its transaction, if any). */
export async function copyIn(runner: QueryRunner, sql: string, source: Readable): Promise<number> {
  if (!/^\s*copy\b[\s\S]*\bfrom\s+stdin\b/i.test(sql)) throw new Error('copyIn expects COPY ... FROM STDIN');
  const client = await rawClient(runner);
  const sink = client.query(copyFrom(sql));
  await pipeline(source, sink);
  return Number(sink.rowCount ?? 0);
}

/** Work on a connection of its own (COPY needs the query runner), released afterwards. */
export async function withRunner<T>(ds: DataSource, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    return await work(runner);
  } finally {
    await runner.release();
  }
}

/** The same in a transaction: committed when the work resolves, rolled back when it throws. */
export function inTransaction<T>(ds: DataSource, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  return ds.transaction((em) => work(em.queryRunner!));
}
