import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from '../../enums.js';
import { command } from '../../message.js';

export class MemberStatus {
  @IsUUID() contactId!: string;
  @IsIn(MEMBERSHIP_STATUSES) status!: MembershipStatus;
}

/**
 * Adds contacts to a list or changes their status there (up to 1,000 at once; larger sets are imports).
 * A member who unsubscribed or bounced is never made subscribed or unconfirmed again (OPT_OUT_PROTECTED),
 * unless an owner or admin records the person's consent: how and when they asked to be subscribed again.
 * The consent travels in the membership.changed events, which are the audit of it.
 */
export class SetMembershipV1 {
  @IsUUID() listId!: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => MemberStatus) members!: MemberStatus[];
  @IsOptional() @IsString() @MinLength(3) @MaxLength(500) consent?: string;
}

export const setMembershipV1 = command<SetMembershipV1, { changed: number }>(
  'contacts.membership.set.v1',
  SetMembershipV1,
  {
    listId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    members: [{ contactId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', status: 'subscribed' }],
  },
  '{ changed: number }',
);
