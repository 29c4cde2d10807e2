export * from './common-env.js';
export * from './duration.js';
export * from './load-config.js';
