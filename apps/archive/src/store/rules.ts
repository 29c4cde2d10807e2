import type { NotRestorableReason } from '@custodian/contracts';
import type { ArchiveEnv } from '../config.js';

/** The restore window, in seconds, from the configuration. */
export function windowOf(env: ArchiveEnv): { frozenSecs: number; restorableSecs: number } {
  return { frozenSecs: env.ARCHIVE_FROZEN_FOR / 1000, restorableSecs: env.ARCHIVE_RESTORABLE_FOR / 1000 };
}

/**
 * SQL for why an archived contact (alias `a`) cannot be restored now, or null. $W1/$W2 are the
 * frozen and restorable windows in seconds. Email conflicts are checked against contacts separately.
 */
export function notRestorableSql(frozen: string, restorable: string): string {
  return `case
    when a.restored_at is not null then 'restored'
    when exists (select 1 from merged_contact mc where mc.contact_id = a.contact_id) then 'merged'
    when a.archived_at > now() - make_interval(secs => ${frozen}) then 'frozen'
    when a.archived_at <= now() - make_interval(secs => ${restorable}) then 'expired'
    else null end`;
}

export type Refusal = { contactId: string; reason: NotRestorableReason | 'not_found' };
