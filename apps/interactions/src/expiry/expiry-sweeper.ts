import { DomainError, ErrorCode, interactionDataExpiringV1, systemContext } from '@custodian/contracts';
import { JobRunner, JobStore, startSweeping, type PeriodicSweep } from '@custodian/jobs';
import { recordEvent } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InteractionsEnv } from '../config.js';
import { ExpireJob } from './expire-job.js';
import { dueToExpireSql, PROGRAM_SQL } from '../programs/program-view.js';

/**
 * Finds programs whose interaction data is due and queues one expiry job each. Safe with replicas:
 * a program has at most one expiry job at a time (its concurrency key `program:<id>`), so a second
 * replica's sweep finds the job there and moves on; a program being restored is `restoring`, never
 * due, so expiry leaves it alone.
 */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeping?: PeriodicSweep;

  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly expiries: ExpireJob,
    @Inject(InteractionsEnv) private readonly env: InteractionsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeping = startSweeping(
      'interaction expiry sweep',
      (signal) => this.sweep(signal),
      () => this.env.INTERACTIONS_SWEEP_INTERVAL,
      this.logger,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeping?.stop();
  }

  async sweep(signal?: AbortSignal): Promise<number> {
    await this.warn();
    const due = (await this.ds.query(
      `select p.id, p.workspace_id from program p where ${dueToExpireSql('p', '$1')}
      and not ${JobStore.activeJobSql('p.workspace_id', `'program:' || p.id`)}
      order by p.stopped_at limit 1000`,
      [this.env.INTERACTIONS_EXPIRE_AFTER / 1000],
    )) as { id: string; workspace_id: string }[];
    let queued = 0;
    for (const p of due) {
      if (signal?.aborted) break;
      try {
        await this.ds.transaction((em) =>
          this.jobs.enqueue(em, this.expiries.definition, {
            workspaceId: p.workspace_id,
            requestedBy: 'system',
            params: { programId: p.id, context: systemContext(p.workspace_id) },
            concurrencyKey: `program:${p.id}`,
          }),
        );
        queued += 1;
      } catch (err) {
        if (!(err instanceof DomainError && err.code === ErrorCode.JobAlreadyRunning)) throw err;
      }
    }
    if (queued) this.runner.poke();
    return queued;
  }

  /** One event per program and expiry date, the configured time before the date. */
  private async warn(): Promise<void> {
    await this.ds.transaction(async (em) => {
      const soon = (await em.query(
        `with due as (${PROGRAM_SQL} where p.status = 'stopped' and p.interaction_data = 'live'
          and p.id in (select id from program where status = 'stopped' and interaction_data = 'live' for update skip locked))
        update program set expiry_warned_for = due.expires_at from due
        where program.id = due.id and due.expires_at is not null and due.expires_at - make_interval(secs => $1) <= now()
          and program.expiry_warned_for is distinct from due.expires_at
        returning program.id, program.workspace_id, program.name, due.expires_at`,
        [this.env.INTERACTIONS_WARN_BEFORE / 1000, this.env.INTERACTIONS_EXPIRE_AFTER / 1000],
      )) as [{ id: string; workspace_id: string; name: string; expires_at: Date }[], number];
      for (const p of soon[0]) {
        await recordEvent(em, interactionDataExpiringV1, systemContext(p.workspace_id), {
          programId: p.id,
          name: p.name,
          expiresAt: p.expires_at.toISOString(),
        });
      }
    });
  }
}
