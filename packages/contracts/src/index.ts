import 'reflect-metadata';

export * from './enums.js';
export * from './errors.js';
export * from './envelope.js';
export * from './message.js';
export * from './registry.js';
export * from './shared-types.js';
export * from './validation.js';
export * from './views.js';
export * from './messages/contacts.contact.create.v1/index.js';
export * from './messages/contacts.contact.get.v1/index.js';
export * from './messages/contacts.contact.list.v1/index.js';
export * from './messages/contacts.job.get.v1/index.js';
export * from './messages/events.contacts.contact.created.v1/index.js';
