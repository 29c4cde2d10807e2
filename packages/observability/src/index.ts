export * from './health.js';
export * from './log-context.js';
export * from './logger.js';
export { Counter, Gauge, Histogram } from 'prom-client';
export * from './metrics.js';
export * from './core.module.js';
