import { attachmentDisposition } from './disposition.js';

describe('attachmentDisposition', () => {
  it('keeps a plain name as it is', () => {
    expect(attachmentDisposition('backup-Customers-2026-12-01.csv')).toBe('attachment; filename="backup-Customers-2026-12-01.csv"');
  });

  it('lets no CR, LF, quote, backslash, path separator or other control or non-ASCII character through', () => {
    expect(attachmentDisposition('a"b\r\nSet-Cookie: x=1\\..\\/etc\tpasswd\u0000é.csv')).toBe(
      'attachment; filename="a_b__Set-Cookie: x=1_..__etc_passwd__.csv"',
    );
  });

  it('cuts a long name to 150 characters and keeps its extension', () => {
    const header = attachmentDisposition(`${'x'.repeat(10_000)}.csv`);
    expect(header).toBe(`attachment; filename="${'x'.repeat(146)}.csv"`);
  });
});
