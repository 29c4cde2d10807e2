export * from './job-definition.js';
export * from './job-runner.js';
export * from './job-store.js';
export * from './job-tables.migration.js';
export * from './nest.js';
export * from './periodic-sweep.js';
