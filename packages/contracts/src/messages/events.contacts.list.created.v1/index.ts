import { IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class ListCreatedV1 {
  @IsUUID() listId!: string;
  @IsString() name!: string;
}

export const listCreatedV1 = event('events.contacts.list.created.v1', ListCreatedV1, { listId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', name: 'Newsletter' });
