export * from './copy.js';
export * from './csv-export.js';
export * from './data-source.js';
export * from './naming.js';
export * from './notifications.js';
export { DataSource, EntityManager } from 'typeorm';
export type { QueryRunner } from 'typeorm';
export * from './database.module.js';
export * from './page-cursor.js';
