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
