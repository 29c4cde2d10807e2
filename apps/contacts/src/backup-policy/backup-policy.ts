import { backupPolicyChangedV1, type BackupPolicyChangedV1, type EventEnvelope } from '@custodian/contracts';
import { OnEvent } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Contacts' copy of the backup policy that the backups service owns. Until a workspace's first
 * policy event arrives, backups are on for every list (the product default).
 */
@Injectable()
export class BackupPolicy {
  constructor(@Inject(LOGGER) readonly logger: Logger) {}

  @OnEvent(backupPolicyChangedV1)
  async onPolicyChanged(event: EventEnvelope<BackupPolicyChangedV1>, em: EntityManager): Promise<void> {
    await em.query(
      `insert into backup_policy (workspace_id, automatic_backups, excluded_list_ids, updated_at) values ($1, $2, $3, $4)
       on conflict (workspace_id) do update set automatic_backups = excluded.automatic_backups,
         excluded_list_ids = excluded.excluded_list_ids, updated_at = excluded.updated_at
       where backup_policy.updated_at < excluded.updated_at`,
      [event.workspaceId, event.data.automaticBackups, event.data.excludedListIds, event.data.updatedAt],
    );
  }

  /** Whether a change to this list made from the back office must be preceded by a snapshot. */
  async shouldSnapshot(em: EntityManager, workspaceId: string, listId: string): Promise<boolean> {
    const [row] = (await em.query('select automatic_backups, excluded_list_ids from backup_policy where workspace_id = $1', [workspaceId])) as {
      automatic_backups: boolean;
      excluded_list_ids: string[];
    }[];
    if (!row) return true;
    return row.automatic_backups && !row.excluded_list_ids.includes(listId);
  }
}
