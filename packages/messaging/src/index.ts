export * from './commands.js';
export * from './event-consumer.js';
export * from './handler-check.js';
export * from './messaging-tables.migration.js';
export * from './messaging.module.js';
export * from './nats.js';
export * from './on-event.js';
export * from './outbox.js';
