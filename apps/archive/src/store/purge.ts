import { archivedContactPurgedV1 } from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { startSweeping, type PeriodicSweep } from '@custodian/jobs';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ArchiveEnv } from '../config.js';
import { windowOf } from './rules.js';

/** Deletes snapshots past the restore window for good (SKIP LOCKED: replicas share the work). */
@Injectable()
export class PurgeSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeping?: PeriodicSweep;

  constructor(
    private readonly ds: DataSource,
    @Inject(ArchiveEnv) private readonly env: ArchiveEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeping = startSweeping(
      'archive purge',
      (signal) => this.sweep(signal),
      () => this.env.ARCHIVE_PURGE_INTERVAL,
      this.logger,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeping?.stop();
  }

  async sweep(signal?: AbortSignal): Promise<number> {
    const { restorableSecs } = windowOf(this.env);
    let total = 0;
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        const [rows] = (await em.query(
          `delete from archived_contact where contact_id in (
             select contact_id from archived_contact where archived_at <= now() - make_interval(secs => $1)
             limit 500 for update skip locked)
           returning contact_id, workspace_id, email, restored_at`,
          [restorableSecs],
        )) as [{ contact_id: string; workspace_id: string; email: string; restored_at: Date | null }[], number];
        for (const r of rows.filter((x) => !x.restored_at)) {
          await recordEvent(
            em,
            archivedContactPurgedV1,
            { workspaceId: r.workspace_id, actor: { id: 'system' }, origin: 'system', correlationId: `purge-${r.contact_id}` },
            { contactId: r.contact_id, email: r.email },
          );
        }
        return rows.length;
      });
      total += n;
      if (n < 500 || signal?.aborted) return total;
    }
  }
}
