import { invalidCursor } from '@custodian/contracts';

/** Cursor over (timestamp, id): stable while rows are added, opaque to callers. */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

/** The (timestamp, id) of a cursor, or null when it is not one of ours (the caller answers a validation error). */
export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      !Number.isNaN(Date.parse(value[0])) &&
      /^[0-9a-f-]{36}$/i.test(value[1])
    )
      return [value[0], value[1]];
  } catch {
    /* fall through */
  }
  return null;
}

/**
 * A keyset page of `select` (a query without where, order or limit): the rows matching `where`
 * (with its `params`, numbered from $1) after the cursor's (time, id) on `order`, in that order,
 * one more than `limit` so the caller knows whether a next page exists. A cursor that is not ours
 * is a validation error.
 */
export function keysetPageSql(
  select: string,
  where: string[],
  params: unknown[],
  order: [time: string, id: string],
  page: { cursor?: string; limit: number },
): { sql: string; params: unknown[] } {
  const values = [...params];
  const conditions = [...where];
  if (page.cursor) {
    const cursor = decodeCursor(page.cursor);
    if (!cursor) throw invalidCursor();
    values.push(cursor[0], cursor[1]);
    conditions.push(`(${order[0]}, ${order[1]}) > ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  values.push(page.limit + 1);
  return { sql: `${select} where ${conditions.join(' and ')} order by ${order[0]}, ${order[1]} limit $${values.length}`, params: values };
}
