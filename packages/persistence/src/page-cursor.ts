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
