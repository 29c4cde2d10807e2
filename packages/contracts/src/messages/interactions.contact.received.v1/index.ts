import { IsUUID } from 'class-validator';
import { command } from '../../message.js';

/** The campaigns and canvases a contact received messages from (its profile's lists), expired data left out. */
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
