import { invalidCursor, type Page } from '@custodian/contracts';

/**
 * SQL: a timestamp column as ISO 8601 in UTC to the microsecond, for the time of a cursor. A
 * JavaScript Date keeps milliseconds only, and a cursor made of one would compare before its own
 * row, which would come again on the next page.
 */
export function cursorTimeSql(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

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

/**
 * How many bytes the items of one page may take serialized: well below a command reply's limit
 * (MAX_REPLY_BYTES, 900 KiB, in packages/messaging), so a page and its cursor always fit in one
 * NATS message, whatever the size of the rows.
 */
export const PAGE_MAX_BYTES = 512 * 1024;

/**
 * The page of `rows` (fetched with one more than `limit`): up to `limit` items, and fewer when the
 * next item would take the serialized items past `maxBytes` (at least one, so a client always moves
 * on). `nextCursor` comes from the last row returned (`cursorAfter(row, taken)`, `taken` being the
 * number of items on the page), so following it sees every row once; it is null only when no row
 * is left. A page with fewer than `limit` items is therefore no sign of the end.
 */
export function boundedPage<R, V>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => V,
  cursorAfter: (last: R, taken: number) => string,
  maxBytes = PAGE_MAX_BYTES,
): Page<V> {
  const items = takeWithin(rows.slice(0, limit).map(view), maxBytes);
  const last = rows[items.length - 1];
  return { items, nextCursor: rows.length > items.length && last !== undefined ? cursorAfter(last, items.length) : null };
}

/** The first of `items` whose JSON array stays within `maxBytes` (at least the first item). */
export function takeWithin<V>(items: readonly V[], maxBytes: number): V[] {
  let bytes = 2; // the brackets of the array
  for (let n = 0; n < items.length; n += 1) {
    // The item and its comma, as JSON.stringify writes them.
    bytes += Buffer.byteLength(JSON.stringify(items[n]) ?? 'null') + 1;
    if (n > 0 && bytes > maxBytes) return items.slice(0, n);
  }
  return [...items];
}
