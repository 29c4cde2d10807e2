import { backupExpiredV1 } from '@custodian/contracts';
import { startSweeping, type PeriodicSweep } from '@custodian/jobs';
import { recordEvent } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { ObjectStorage } from '@custodian/storage';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BackupsEnv } from '../config.js';
import { RESTORE_JOB_KIND } from '../restore/restore-job.js';
import type { BackupRow } from './catalog.js';

/**
 * Deletes expired backups for good: object, then record (leaving a tombstone so a download answers
 * "gone"), with a backup.expired event, once no restore still needs it. Rows are claimed with SKIP LOCKED, so replicas share the
 * work, and removing an object twice is harmless, so a crash midway only repeats work.
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeping?: PeriodicSweep;

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    @Inject(BackupsEnv) private readonly env: BackupsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeping = startSweeping('retention sweep', (signal) => this.sweep(signal), this.env.BACKUPS_SWEEP_INTERVAL, this.logger);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeping?.stop();
  }

  /** Expires every backup past its date; returns how many. */
  async sweep(signal?: AbortSignal): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        // A backup that a queued or running restore still reads stays until that restore has ended.
        const rows = (await em.query(
          `select * from backup b where expires_at <= now()
             and not exists (select 1 from job j where j.workspace_id = b.workspace_id and j.kind = $1
                               and j.status in ('queued', 'running') and j.params->>'backupId' = b.id::text)
           order by expires_at limit 100 for update skip locked`,
          [RESTORE_JOB_KIND],
        )) as BackupRow[];
        for (const b of rows) {
          await this.storage.remove('backups', b.object_key);
          await em.query('delete from backup where id = $1', [b.id]);
          await em.query('insert into expired_backup (id, workspace_id) values ($1, $2) on conflict do nothing', [b.id, b.workspace_id]);
          await recordEvent(
            em,
            backupExpiredV1,
            { workspaceId: b.workspace_id, actor: { id: 'system' }, origin: 'system', correlationId: `retention-${b.id}` },
            { backupId: b.id, listId: b.list_id, listName: b.list_name },
          );
        }
        return rows.length;
      });
      total += n;
      if (n < 100 || signal?.aborted) break;
    }
    if (total) this.logger.info({ expired: total }, 'expired backups deleted');
    return total;
  }
}
