import { fieldNameProblem, fieldValueProblem } from './fields.js';

describe('custom field rules', () => {
  it.each([
    ['City', null],
    ['first purchase', null],
    ['Straße_2', null],
    ['_internal.id-2', null],
    ['x'.repeat(64), null],
    ['x'.repeat(65), 'is longer than 64 characters'],
    [' City', expect.stringContaining('must start with')],
    ['City ', expect.stringContaining('must start with')],
    ['=HYPERLINK()', expect.stringContaining('must start with')],
    ['two\nlines', expect.stringContaining('must start with')],
    ['a,b', expect.stringContaining('must start with')],
    ['', expect.stringContaining('must start with')],
    ['Email', 'is the name of a built-in column'],
    ['first name', 'is the name of a built-in column'],
  ])('the name %j: %p', (name, problem) => {
    expect(fieldNameProblem(name)).toEqual(problem);
  });

  it.each([
    ['number', '12', null],
    ['number', '-0.5', null],
    ['number', '1e3', expect.stringContaining('is not a number')],
    ['number', '1,5', expect.stringContaining('is not a number')],
    ['number', '007', expect.stringContaining('is not a number')],
    ['date', '2024-02-29', null],
    ['date', '2026-02-29', 'is not a date (YYYY-MM-DD)'],
    ['date', '2026-13-01', 'is not a date (YYYY-MM-DD)'],
    ['date', '2026-1-1', 'is not a date (YYYY-MM-DD)'],
    ['text', 'anything at all', null],
  ] as const)('a %s field holding %j: %p', (type, value, problem) => {
    expect(fieldValueProblem(type, value)).toEqual(problem);
  });
});
