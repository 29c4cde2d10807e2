import { MessagingTables1763800000000 } from '@custodian/messaging';
import { ContactsSchema1763800000100 } from '../migrations/001-contacts-schema.js';
import { ContactsJobs1763800000200 } from '../migrations/002-jobs.js';
import { MembershipWithoutForeignKeys1763800000300 } from '../migrations/003-membership-without-foreign-keys.js';
import { CustomFieldNames1763800000400 } from '../migrations/004-custom-field-names.js';
import { FieldDefinitions1763800000500 } from '../migrations/005-field-definitions.js';
import { AccountContactsIndex1763800000600 } from '../migrations/006-account-contacts-index.js';
import { ImportFileRemovals1763800000700 } from '../migrations/007-import-file-removals.js';

export const SCHEMA = 'contacts';
/** In order; a new one is appended, an applied one is never edited. */
export const MIGRATIONS = [
  MessagingTables1763800000000,
  ContactsSchema1763800000100,
  ContactsJobs1763800000200,
  MembershipWithoutForeignKeys1763800000300,
  CustomFieldNames1763800000400,
  FieldDefinitions1763800000500,
  AccountContactsIndex1763800000600,
  ImportFileRemovals1763800000700,
];
