export * from './config.js';
export * from './hashing.js';
export * from './keys.js';
export * from './object-storage.js';
export * from './storage.module.js';
export * from './copy-to-object.js';
export * from './disposition.js';
export * from './dataset-file.js';
