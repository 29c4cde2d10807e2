import { sqlIdentifier, sqlLiteral } from './copy.js';

describe('SQL quoting for COPY statements', () => {
  it('doubles quotes in literals and identifiers', () => {
    expect(sqlLiteral("O'Brien")).toBe("'O''Brien'");
    expect(sqlIdentifier('fields."city"')).toBe('"fields.""city"""');
  });
  it('refuses NUL bytes', () => {
    expect(() => sqlLiteral('a\0b')).toThrow(/NUL/);
    expect(() => sqlIdentifier('a\0b')).toThrow(/NUL/);
  });
});
