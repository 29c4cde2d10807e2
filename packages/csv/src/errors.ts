export const CsvErrorCode = {
  Empty: 'CSV_EMPTY',
  BadHeader: 'CSV_BAD_HEADER',
  UnbalancedQuotes: 'CSV_UNBALANCED_QUOTES',
  StrayQuote: 'CSV_STRAY_QUOTE',
  TooManyColumns: 'CSV_TOO_MANY_COLUMNS',
  RaggedRow: 'CSV_RAGGED_ROW',
  LineTooLong: 'CSV_LINE_TOO_LONG',
  InvalidEncoding: 'CSV_INVALID_ENCODING',
} as const;
export type CsvErrorCode = (typeof CsvErrorCode)[keyof typeof CsvErrorCode];

/** A problem in a CSV file, with the 1-based line where it was found (the header is line 1). */
export class CsvError extends Error {
  constructor(
    readonly code: CsvErrorCode,
    message: string,
    readonly rowNumber?: number,
    options?: { cause?: unknown },
  ) {
    super(rowNumber !== undefined ? `row ${rowNumber}: ${message}` : message, options);
    this.name = 'CsvError';
  }
}
