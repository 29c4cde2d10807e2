import type { MembershipStatus } from './enums.js';

/** Replies of the contacts service, as the gateway returns them. */
export interface ContactView {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  fields: Record<string, string>;
  lists: { listId: string; status: MembershipStatus }[];
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ListView {
  id: string;
  name: string;
  memberCount: number;
  createdAt: string;
}

export interface MemberView {
  contactId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  status: MembershipStatus;
  updatedAt: string;
}

export interface TagView {
  id: string;
  name: string;
  contactCount: number;
  createdAt: string;
}

export interface FieldView {
  name: string;
  type: 'text' | 'number' | 'date';
  createdAt: string;
}

/**
 * An account (company). Its contacts are not part of the view, which would grow with them: it
 * says how many there are, and `contacts.contact.list.v1` with `accountId` pages through them.
 */
export interface AccountView {
  id: string;
  name: string;
  domain: string | null;
  contactCount: number;
  createdAt: string;
}

/** The account as the deprecated `contacts.account.*.v1` commands answer it: with every linked contact's id. */
export interface AccountViewV1 {
  id: string;
  name: string;
  domain: string | null;
  contactIds: string[];
  createdAt: string;
}

export interface DealView {
  id: string;
  name: string;
  amount: number | null;
  stage: string | null;
  contacts: { contactId: string; isPrimary: boolean }[];
  createdAt: string;
}

/** Reply of contacts.contact.restore.v1. */
export interface RestoreOutcome {
  contact: ContactView;
  skipped: string[];
}

export interface BackupPolicyView {
  automaticBackups: boolean;
  excludedListIds: string[];
  updatedAt: string | null;
}

export interface BackupView {
  id: string;
  listId: string;
  listName: string;
  reason: 'import' | 'deletion';
  requestedBy: string;
  causeOrigin: string;
  rows: number;
  bytes: number;
  sha256: string;
  createdAt: string;
  expiresAt: string;
}

export type NotRestorableReason = 'frozen' | 'expired' | 'merged' | 'email_in_use' | 'restored';

export interface ArchivedContactView {
  contactId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  archivedAt: string;
  archivedBy: string;
  reason: string | null;
  restorableFrom: string;
  restorableUntil: string;
  restorable: boolean;
  notRestorableBecause: NotRestorableReason | null;
}
