import type { MessageSpec } from './message.js';
import { createContactV1 } from './messages/contacts.contact.create.v1/index.js';
import { getContactV1 } from './messages/contacts.contact.get.v1/index.js';
import { listContactsV1 } from './messages/contacts.contact.list.v1/index.js';
import { contactsGetJobV1 } from './messages/contacts.job.get.v1/index.js';
import { contactCreatedV1 } from './messages/events.contacts.contact.created.v1/index.js';

/** Every message of the platform. A subject not listed here cannot be sent or handled. */
export const MESSAGES: readonly MessageSpec[] = [
  createContactV1,
  getContactV1,
  listContactsV1,
  contactsGetJobV1,
  contactCreatedV1,
] as MessageSpec[];

const bySubject = new Map(MESSAGES.map((m) => [m.subject, m]));

export function messageSpec(subject: string): MessageSpec {
  const spec = bySubject.get(subject);
  if (!spec) throw new Error(`unknown subject ${subject}`);
  return spec;
}

/** The JetStream stream holding every event of the platform. */
export const EVENT_STREAM = 'CUSTODIAN_EVENTS';
export const EVENT_SUBJECTS = 'events.>';
/** Poison messages land here after the last delivery attempt: `dead-letter.<original subject>`. */
export const DEAD_LETTER_STREAM = 'CUSTODIAN_DEAD_LETTERS';
export const DEAD_LETTER_PREFIX = 'dead-letter';
