import { LOGGER, type Logger } from '@custodian/observability';
import { ObjectStorage } from '@custodian/storage';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { startTicking } from '../ticker.js';
import type { ExportResult } from '../runs/export-run.js';

/** Queues files for removal in the caller's transaction; the file sweeper removes them. */
export async function queueFileRemoval(em: EntityManager, keys: string[]): Promise<void> {
  await em.query('insert into file_removal (key) select unnest($1::text[]) on conflict do nothing', [keys]);
}

/**
 * Removes the files queued for removal, and deletes the files of exports past their validity and marks them `expired` (the download then
 * answers gone). Safe with replicas: rows are claimed with SKIP LOCKED, and the status changes
 * only in the transaction that saw the files removed.
 */
@Injectable()
export class FileSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private stop?: () => Promise<void>;
  private stopped = false;

  constructor(private readonly ds: DataSource, private readonly storage: ObjectStorage, @Inject(ExportsEnv) private readonly env: ExportsEnv,
    @Inject(LOGGER) private readonly logger: Logger) {}

  onApplicationBootstrap(): void {
    this.stop = startTicking(() => this.sweep(), () => this.env.EXPORTS_SWEEP_INTERVAL, this.logger, 'export file sweep');
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.stop?.();
  }

  /** Answers how many exports expired. */
  async sweep(): Promise<number> {
    await this.removeQueued();
    let expired = 0;
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        const due = (await em.query(`select id, result from job where kind = 'export' and status = 'succeeded' and expires_at <= now()
          order by expires_at limit 100 for update skip locked`)) as { id: string; result: ExportResult }[];
        if (!due.length) return 0;
        await this.storage.removeMany('exports', due.flatMap((d) => [d.result.key, d.result.manifestKey]));
        await em.query(`update job set status = 'expired' where id = any($1::uuid[])`, [due.map((d) => d.id)]);
        return due.length;
      });
      expired += n;
      if (n === 0 || this.stopped) break;
    }
    // What owners reported is only needed while its export runs.
    await this.ds.query('delete from dataset_result where received_at < now() - make_interval(secs => $1)', [this.env.EXPORTS_VALIDITY / 1000]);
    return expired;
  }

  private async removeQueued(): Promise<void> {
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        const queued = (await em.query('select key from file_removal order by queued_at limit 1000 for update skip locked')) as { key: string }[];
        if (!queued.length) return 0;
        await this.storage.removeMany('exports', queued.map((q) => q.key));
        await em.query('delete from file_removal where key = any($1::text[])', [queued.map((q) => q.key)]);
        return queued.length;
      });
      if (n < 1000 || this.stopped) return;
    }
  }
}
