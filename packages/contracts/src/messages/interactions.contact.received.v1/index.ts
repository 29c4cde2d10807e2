import { IsUUID } from 'class-validator';
import { command } from '../../message.js';

/** How many campaigns, and how many canvases, contacts.contact.received.v1 answers at most: the most recent. */
export const RECEIVED_PROGRAMS_MAX = 500;

/**
 * The campaigns and canvases a contact received messages from (its profile's lists), expired
 * data left out: the RECEIVED_PROGRAMS_MAX most recent of each kind (fewer if their names are very
 * long), most recent first.
 */
export class ContactReceivedV1 {
  @IsUUID() contactId!: string;
}

export interface ReceivedProgram {
  programId: string;
  kind: 'campaign' | 'canvas';
  name: string;
  messages: number;
  lastReceivedAt: string;
}

export const contactReceivedV1 = command<ContactReceivedV1, { campaigns: ReceivedProgram[]; canvases: ReceivedProgram[] }>(
  'interactions.contact.received.v1',
  ContactReceivedV1,
  { contactId: '9d7b0a8e-3c2f-4e1d-8b6a-5f4e3d2c1b0a' },
  '{ campaigns: ReceivedProgram[], canvases: ReceivedProgram[] }',
);
