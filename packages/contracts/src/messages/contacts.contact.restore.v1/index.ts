import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { command } from '../../message.js';
import { ContactSnapshot, SNAPSHOT_FIXTURE } from '../../snapshot.js';
import type { RestoreOutcome } from '../../views.js';

/**
 * Sent by the archive service (origin `restore`): re-creates the contact from its snapshot with
 * its id and original created date; lists, tags and accounts that were deleted meanwhile are
 * skipped, deals come back without the primary role, deals deleted with the contact do not.
 */
export class RestoreContactV1 {
  @ValidateNested() @Type(() => ContactSnapshot) snapshot!: ContactSnapshot;
}

export const restoreContactV1 = command<RestoreContactV1, RestoreOutcome>(
  'contacts.contact.restore.v1',
  RestoreContactV1,
  { snapshot: SNAPSHOT_FIXTURE },
  'RestoreOutcome',
);
