import { copyLine, mapColumns, MappingError, toImportRow } from './column-mapping.js';

describe('mapColumns', () => {
  it('recognises the usual names and turns other columns into custom fields', () => {
    expect(mapColumns(['E-mail', 'First Name', 'last_name', 'Status', 'City', 'fields.plan', 'createdAt'])).toEqual([
      { kind: 'email' },
      { kind: 'firstName' },
      { kind: 'lastName' },
      { kind: 'status' },
      { kind: 'field', name: 'City' },
      { kind: 'field', name: 'plan' },
      { kind: 'ignore' },
    ]);
  });
  it('follows an explicit mapping', () => {
    expect(mapColumns(['Correo', 'Ciudad', 'x'], { Correo: 'email', Ciudad: 'fields.city', x: 'ignore' })).toEqual([
      { kind: 'email' },
      { kind: 'field', name: 'city' },
      { kind: 'ignore' },
    ]);
  });
  it('says what is wrong with a mapping', () => {
    expect(() => mapColumns(['name'])).toThrow(/no email column/);
    expect(() => mapColumns(['email', 'mail'], { mail: 'email' })).toThrow(/2 columns map to email/);
    expect(() => mapColumns(['email'], { nope: 'email' })).toThrow(/does not have/);
    expect(() => mapColumns(['email', 'x'], { x: 'phone' })).toThrow(MappingError);
  });
  it('refuses two columns naming one field in different cases, unless reading a backup written before that rule', () => {
    expect(() => mapColumns(['email', 'City', 'fields.city'])).toThrow(/columns "City" and "fields.city" name the same custom field/);
    expect(mapColumns(['email', 'fields.City', 'fields.city'], {}, { caseVariantFields: true })).toEqual([
      { kind: 'email' },
      { kind: 'field', name: 'City' },
      { kind: 'field', name: 'city' },
    ]);
  });
});

describe('toImportRow with field rules', () => {
  const rules = {
    valueProblem: (field: { name: string; type: string }, value: string) => (field.type === 'number' && !/^\d+$/.test(value) ? 'is not a number' : null),
    sizeProblem: (fields: Record<string, string>) => (Object.keys(fields).length > 1 ? 'are too many' : null),
  };
  const targets = [{ kind: 'email' }, { kind: 'field', name: 'Age', type: 'number' }, { kind: 'field', name: 'City', type: 'text' }] as const;
  it('rejects a row whose value breaks its field, or whose fields together are too big, naming the field', () => {
    expect(toImportRow(['a@example.com', 'old', ''], [...targets], rules)).toEqual({ reason: 'field Age is not a number' });
    expect(toImportRow(['a@example.com', '7', 'Rome'], [...targets], rules)).toEqual({ reason: "the row's custom fields are too many" });
    expect(toImportRow(['a@example.com', '7', ''], [...targets], rules)).toMatchObject({ row: { fields: { Age: '7' } } });
    expect(toImportRow(['a@example.com', 'old', 'Rome'], [...targets])).toMatchObject({ row: { fields: { Age: 'old', City: 'Rome' } } });
  });
});

describe('toImportRow', () => {
  const targets = mapColumns(['email', 'firstName', 'status', 'city']);
  it('trims values, lower-cases statuses and drops empty fields', () => {
    expect(toImportRow([' ada@example.com ', 'Ada', 'Unsubscribed', ''], targets)).toEqual({
      row: { email: 'ada@example.com', firstName: 'Ada', lastName: null, status: 'unsubscribed', fields: {} },
    });
  });
  it('treats an empty status as not given', () => {
    expect(toImportRow(['a@b.co', '', '', 'Rome'], targets)).toEqual({
      row: { email: 'a@b.co', firstName: null, lastName: null, status: null, fields: { city: 'Rome' } },
    });
  });
  it('rejects invalid emails and statuses with a reason', () => {
    expect(toImportRow(['not-an-email', '', '', ''], targets)).toEqual({ reason: '"not-an-email" is not a valid email address' });
    expect(toImportRow(['', '', '', ''], targets)).toEqual({ reason: 'email is empty' });
    expect(toImportRow(['a@b.co', '', 'maybe', ''], targets)).toMatchObject({ reason: expect.stringMatching(/status "maybe"/) });
    expect(toImportRow(['a@b.co', 'A\u0000da', '', ''], targets)).toEqual({ reason: 'the row holds a NUL character (U+0000), which cannot be stored' });
  });
});

describe('copyLine', () => {
  it('escapes what COPY text format treats specially', () => {
    expect(copyLine(['a\tb', 'c\\d', 'e\nf', null, 3])).toBe('a\\tb\tc\\\\d\te\\nf\t\\N\t3\n');
  });
});
