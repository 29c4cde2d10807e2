import { boundedPage } from './page-cursor.js';

interface Row {
  id: number;
  text: string;
}

const rows = (sizes: number[]): Row[] => sizes.map((size, id) => ({ id, text: 'x'.repeat(size) }));
const page = (all: Row[], limit: number, maxBytes?: number) =>
  boundedPage(
    all,
    limit,
    (r) => r,
    (last) => String(last.id),
    maxBytes,
  );

describe('boundedPage', () => {
  it('answers up to limit items and a cursor after the last one while rows are left', () => {
    expect(page(rows([1, 1, 1]), 2)).toEqual({ items: rows([1, 1]), nextCursor: '1' });
    expect(page(rows([1, 1]), 2)).toEqual({ items: rows([1, 1]), nextCursor: null });
    expect(page([], 2)).toEqual({ items: [], nextCursor: null });
  });

  it('stops before the item that would take the serialized items past the budget, with a cursor after the last item returned', () => {
    const all = rows([400, 400, 400, 400]);
    const result = page(all, 3, 1000);
    expect(result.items.map((r) => r.id)).toEqual([0, 1]);
    expect(result.nextCursor).toBe('1');
    expect(Buffer.byteLength(JSON.stringify(result.items))).toBeLessThanOrEqual(1000);
  });

  it('counts the last row cut by the budget as left even when the page would have ended there by count', () => {
    expect(page(rows([400, 400, 400]), 3, 1000)).toEqual({ items: rows([400, 400]), nextCursor: '1' });
  });

  it('answers one item too large for the budget on its own, so a client following the cursors always moves on', () => {
    expect(page(rows([2000, 10]), 5, 1000)).toEqual({ items: rows([2000]), nextCursor: '0' });
  });

  it('sees every row exactly once when the cursors are followed', () => {
    const all = rows(Array.from({ length: 30 }, (_, i) => (i * 37) % 300));
    const seen: number[] = [];
    let after = -1;
    for (let pages = 0; pages < 100; pages += 1) {
      const result = page(
        all.filter((r) => r.id > after),
        7,
        900,
      );
      seen.push(...result.items.map((r) => r.id));
      if (!result.nextCursor) break;
      after = Number(result.nextCursor);
    }
    expect(seen).toEqual(all.map((r) => r.id));
  });
});
