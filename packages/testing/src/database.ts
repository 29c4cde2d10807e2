import pg from 'pg';
import { stackEnv } from './env.js';

/**
 * One statement against the stack's database, on a connection of its own that is closed after.
 * For what a test cannot reach through the services: seeding large states fast, and checking
 * invariants (no duplicates) across a service's tables.
 */
export async function databaseQuery<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: stackEnv().DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
