import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsEmail, IsIn, IsObject, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from './enums.js';
import { IsTimestamp } from './timestamp.js';

export class SnapshotMembership {
  @IsUUID() listId!: string;
  @IsString() listName!: string;
  @IsIn(MEMBERSHIP_STATUSES) status!: MembershipStatus;
}

export class SnapshotTag {
  @IsUUID() tagId!: string;
  @IsString() name!: string;
}

export class SnapshotAccount {
  @IsUUID() accountId!: string;
  @IsString() name!: string;
}

export class SnapshotDeal {
  @IsUUID() dealId!: string;
  @IsString() name!: string;
  @IsBoolean() wasPrimary!: boolean;
  /** The contact was the deal's only contact: the deal was deleted with the archiving and is not restored. */
  @IsBoolean() deletedWithContact!: boolean;
}

/** Everything archiving takes out of the live data, so a restore can put it back (docs/design.md, archive). */
export class ContactSnapshot {
  @IsUUID() contactId!: string;
  @IsEmail() email!: string;
  @IsOptional() @IsString() firstName?: string | null;
  @IsOptional() @IsString() lastName?: string | null;
  @IsObject() fields!: Record<string, string>;
  @IsTimestamp() createdAt!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => SnapshotMembership) memberships!: SnapshotMembership[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => SnapshotTag) tags!: SnapshotTag[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => SnapshotAccount) accounts!: SnapshotAccount[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => SnapshotDeal) deals!: SnapshotDeal[];
}

export const SNAPSHOT_FIXTURE: ContactSnapshot = {
  contactId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: null,
  fields: { city: 'London' },
  createdAt: '2025-01-31T09:00:00.000Z',
  memberships: [{ listId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', listName: 'Newsletter', status: 'unsubscribed' }],
  tags: [{ tagId: '2b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', name: 'vip' }],
  accounts: [{ accountId: '3b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', name: 'Acme' }],
  deals: [{ dealId: '4b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', name: 'Renewal', wasPrimary: true, deletedWithContact: false }],
};
