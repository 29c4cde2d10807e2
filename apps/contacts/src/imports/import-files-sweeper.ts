import { startSweeping, type PeriodicSweep } from '@custodian/jobs';
import { LOGGER, type Logger } from '@custodian/observability';
import { ObjectStorage } from '@custodian/storage';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ContactsEnv } from '../config.js';

/**
 * Removes the files of imports that ended more than CONTACTS_IMPORT_FILES_RETENTION ago (see
 * ImportJob.scheduleFileRemoval). Rows are claimed with SKIP LOCKED, so replicas share the work;
 * removing a file twice is harmless, so a crash midway only repeats work.
 */
@Injectable()
export class ImportFilesSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeping?: PeriodicSweep;

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    @Inject(ContactsEnv) private readonly env: ContactsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeping = startSweeping('import files sweep', (signal) => this.sweep(signal), this.env.CONTACTS_SWEEP_INTERVAL, this.logger);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeping?.stop();
  }

  /** Removes the files of every import past its retention; answers for how many imports. */
  async sweep(signal?: AbortSignal): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        const due = (await em.query(
          'select job_id, keys from import_file_removal where remove_after <= now() order by remove_after limit 100 for update skip locked',
        )) as { job_id: string; keys: string[] }[];
        for (const { keys } of due) for (const key of keys) await this.storage.remove('imports', key);
        if (due.length) await em.query('delete from import_file_removal where job_id = any($1::uuid[])', [due.map((d) => d.job_id)]);
        return due.length;
      });
      total += n;
      if (n < 100 || signal?.aborted) break;
    }
    if (total) this.logger.info({ imports: total }, 'files of ended imports removed');
    return total;
  }
}
