export * from './decode.js';
export * from './errors.js';
export * from './parser.js';
export * from './reader.js';
export * from './spreadsheet.js';
export * from './writer.js';
