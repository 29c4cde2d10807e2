import { IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { ContactView } from '../../views.js';

/**
 * Folds the duplicate into the primary: lists (the stricter status wins, so an opt-out is never
 * lost), tags, accounts and deals move over, empty fields are filled. The duplicate is gone for good.
 */
export class MergeContactsV1 {
  @IsUUID() primaryId!: string;
  @IsUUID() duplicateId!: string;
}

export const mergeContactsV1 = command<MergeContactsV1, ContactView>(
  'contacts.contact.merge.v1',
  MergeContactsV1,
  {
    primaryId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    duplicateId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  },
  'ContactView',
);
