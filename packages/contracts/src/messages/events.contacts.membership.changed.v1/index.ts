import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from '../../enums.js';
import { event } from '../../message.js';

/** One contact's status on one list changed (imports publish one import.completed instead of one per row). */
export class MembershipChangedV1 {
  @IsUUID() listId!: string;
  @IsUUID() contactId!: string;
  @IsIn(MEMBERSHIP_STATUSES) status!: MembershipStatus;
  @IsOptional() @IsIn(MEMBERSHIP_STATUSES) previousStatus?: MembershipStatus | null;
  /** A member who had opted out, subscribed again: the consent an owner or admin recorded for it. */
  @IsOptional() @IsString() @MaxLength(500) consent?: string;
}

export const membershipChangedV1 = event('events.contacts.membership.changed.v1', MembershipChangedV1, {
  listId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  contactId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  status: 'unsubscribed',
  previousStatus: 'subscribed',
});
