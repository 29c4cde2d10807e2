import {
  backupPolicyChangedV1,
  getBackupPolicyV1,
  setBackupPolicyV1,
  type BackupPolicyView,
  type CommandContext,
  type SetBackupPolicyV1,
} from '@custodian/contracts';
import { CommandHandler, recordEvent } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

const DEFAULT_POLICY = { automaticBackups: true, excludedListIds: [] as string[], updatedAt: null };

/** The backup policy: owned here, followed by contacts through the events it publishes. */
@Controller()
export class PolicyHandlers {
  constructor(private readonly ds: DataSource) {}

  @CommandHandler(getBackupPolicyV1)
  get(_data: object, context: CommandContext): Promise<BackupPolicyView> {
    return this.read(this.ds.manager, context.workspaceId);
  }

  @CommandHandler(setBackupPolicyV1)
  async set(data: SetBackupPolicyV1, context: CommandContext): Promise<BackupPolicyView> {
    return this.ds.transaction(async (em) => {
      const excluded = [...new Set(data.excludedListIds)];
      const [row] = (await em.query(
        `insert into backup_policy (workspace_id, automatic_backups, excluded_list_ids, updated_by, updated_at)
         values ($1, $2, $3, $4, clock_timestamp())
         on conflict (workspace_id) do update set automatic_backups = excluded.automatic_backups,
           excluded_list_ids = excluded.excluded_list_ids, updated_by = excluded.updated_by, updated_at = excluded.updated_at
         returning updated_at`,
        [context.workspaceId, data.automaticBackups, excluded, context.actor.id],
      )) as { updated_at: Date }[];
      const updatedAt = row!.updated_at.toISOString();
      await recordEvent(em, backupPolicyChangedV1, context, { automaticBackups: data.automaticBackups, excludedListIds: excluded, updatedAt });
      return { automaticBackups: data.automaticBackups, excludedListIds: excluded, updatedAt };
    });
  }

  private async read(em: EntityManager, workspaceId: string): Promise<BackupPolicyView> {
    const [row] = (await em.query('select automatic_backups, excluded_list_ids, updated_at from backup_policy where workspace_id = $1', [workspaceId])) as {
      automatic_backups: boolean;
      excluded_list_ids: string[];
      updated_at: Date;
    }[];
    if (!row) return DEFAULT_POLICY;
    return { automaticBackups: row.automatic_backups, excludedListIds: row.excluded_list_ids, updatedAt: row.updated_at.toISOString() };
  }
}
