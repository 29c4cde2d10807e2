export * from './common-env.js';
export * from './duration.js';
export * from './flag.js';
export * from './load-config.js';
