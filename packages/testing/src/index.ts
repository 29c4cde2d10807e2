export * from './env.js';
export * from './system.js';
export * from './wait-for.js';
export * from './event-tap.js';
export * from './nats-server.js';
export * from './database.js';
export * from './medium.js';
