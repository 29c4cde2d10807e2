import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from '../../enums.js';
import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';
import type { MemberView } from '../../views.js';

export class ListMembersV1 extends PageQuery {
  @IsUUID() listId!: string;
  @IsOptional() @IsIn(MEMBERSHIP_STATUSES) status?: MembershipStatus;
}

export const listMembersV1 = command<ListMembersV1, Page<MemberView>>(
  'contacts.list.members.v1',
  ListMembersV1,
  { listId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', status: 'subscribed' },
  'Page<MemberView>',
);
