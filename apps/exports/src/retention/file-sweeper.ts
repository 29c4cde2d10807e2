import { LOGGER, type Logger } from '@custodian/observability';
import { ObjectStorage } from '@custodian/storage';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JobStore, startSweeping, type PeriodicSweep } from '@custodian/jobs';
import { DataSource } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { ExportRun } from '../runs/export-run.js';

/**
 * Removes the files queued for removal, and deletes the files of exports past their validity and marks them `expired` (the download then
 * answers gone). Safe with replicas: rows are claimed with SKIP LOCKED, and the status changes
 * only in the transaction that saw the files removed.
 */
@Injectable()
export class FileSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeping?: PeriodicSweep;

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    private readonly jobs: JobStore,
    private readonly exports: ExportRun,
    @Inject(ExportsEnv) private readonly env: ExportsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeping = startSweeping(
      'export file sweep',
      (signal) => this.sweep(signal),
      () => this.env.EXPORTS_SWEEP_INTERVAL,
      this.logger,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeping?.stop();
  }

  /** Answers how many exports expired. */
  async sweep(signal?: AbortSignal): Promise<number> {
    await this.removeQueued(signal);
    let expired = 0;
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        const due = await this.jobs.dueToExpire(em, this.exports.definition, 100);
        if (!due.length) return 0;
        await this.storage.removeMany(
          'exports',
          due.flatMap((d) => (d.result ? [d.result.key, d.result.manifestKey] : [])),
        );
        await this.jobs.expire(
          em,
          due.map((d) => d.id),
        );
        return due.length;
      });
      expired += n;
      if (n === 0 || signal?.aborted) break;
    }
    // What owners reported is only needed while its export runs.
    await this.ds.query('delete from dataset_result where received_at < now() - make_interval(secs => $1)', [this.env.EXPORTS_VALIDITY / 1000]);
    return expired;
  }

  private async removeQueued(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        const queued = (await em.query('select key from file_removal order by queued_at limit 1000 for update skip locked')) as { key: string }[];
        if (!queued.length) return 0;
        await this.storage.removeMany(
          'exports',
          queued.map((q) => q.key),
        );
        await em.query('delete from file_removal where key = any($1::text[])', [queued.map((q) => q.key)]);
        return queued.length;
      });
      if (n < 1000 || signal?.aborted) return;
    }
  }
}
