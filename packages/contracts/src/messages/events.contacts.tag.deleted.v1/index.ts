import { IsString, IsUUID } from 'class-validator';
import { event } from '../../message.js';

export class TagDeletedV1 {
  @IsUUID() tagId!: string;
  @IsString() name!: string;
}

export const tagDeletedV1 = event('events.contacts.tag.deleted.v1', TagDeletedV1, { tagId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', name: 'vip' });
