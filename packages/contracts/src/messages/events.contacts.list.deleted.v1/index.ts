import { IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { event } from '../../message.js';

export class ListDeletedV1 {
  @IsUUID() listId!: string;
  @IsString() name!: string;
  @IsInt() @Min(0) memberCount!: number;
  /** The backup taken before the deletion, when one was. */
  @IsOptional() @IsUUID() snapshotId?: string;
}

export const listDeletedV1 = event('events.contacts.list.deleted.v1', ListDeletedV1, {
  listId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  name: 'Newsletter',
  memberCount: 3,
});
