import { backupExpiredV1 } from '@custodian/contracts';
import { parseDuration } from '@custodian/config';
import { recordEvent } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { ObjectStorage } from '@custodian/storage';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BackupsEnv } from '../config.js';
import type { BackupRow } from './catalog.js';

/**
 * Deletes expired backups for good: object, then record (leaving a tombstone so a download answers
 * "gone"), with a backup.expired event. Rows are claimed with SKIP LOCKED, so replicas share the
 * work, and removing an object twice is harmless, so a crash midway only repeats work.
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    @Inject(BackupsEnv) private readonly env: BackupsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = parseDuration(this.env.BACKUPS_SWEEP_INTERVAL);
    const tick = () => {
      this.running = this.sweep().catch((err) => {
        this.logger.warn({ err: (err as Error).message }, 'retention sweep failed; will retry');
        return 0;
      });
      void this.running.finally(() => { this.timer = setTimeout(tick, every); });
    };
    this.timer = setTimeout(tick, 0);
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
  }

  /** Expires every backup past its date; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        const rows = (await em.query(
          'select * from backup where expires_at <= now() order by expires_at limit 100 for update skip locked',
        )) as BackupRow[];
        for (const b of rows) {
          await this.storage.remove('backups', b.object_key);
          await em.query('delete from backup where id = $1', [b.id]);
          await em.query('insert into expired_backup (id, workspace_id) values ($1, $2) on conflict do nothing', [b.id, b.workspace_id]);
          await recordEvent(em, backupExpiredV1,
            { workspaceId: b.workspace_id, actor: { id: 'system' }, origin: 'system', correlationId: `retention-${b.id}` },
            { backupId: b.id, listId: b.list_id, listName: b.list_name });
        }
        return rows.length;
      });
      total += n;
      if (n < 100) break;
    }
    if (total) this.logger.info({ expired: total }, 'expired backups deleted');
    return total;
  }
}
