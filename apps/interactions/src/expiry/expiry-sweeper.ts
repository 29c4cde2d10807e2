import { DomainError, ErrorCode, systemContext } from '@custodian/contracts';
import { parseDuration } from '@custodian/config';
import { JobRunner, JobStore } from '@custodian/jobs';
import { LOGGER, type Logger } from '@custodian/observability';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InteractionsEnv } from '../config.js';
import { dueToExpireSql } from '../programs/program-view.js';

/**
 * Finds programs whose interaction data is due and queues one expiry job each. Safe with replicas:
 * a program has at most one expiry or restore job at a time (its concurrency key), so a second
 * replica's sweep finds the job there and moves on.
 */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(private readonly ds: DataSource, private readonly jobs: JobStore, private readonly runner: JobRunner,
    @Inject(InteractionsEnv) private readonly env: InteractionsEnv, @Inject(LOGGER) private readonly logger: Logger) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running = this.sweep().catch((err) => this.logger.warn({ err: (err as Error).message }, 'interaction expiry sweep failed; will retry'));
      void this.running.finally(() => { this.timer = setTimeout(tick, parseDuration(this.env.INTERACTIONS_SWEEP_INTERVAL)); });
    };
    this.timer = setTimeout(tick, 0);
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
  }

  async sweep(): Promise<number> {
    const due = (await this.ds.query(`select p.id, p.workspace_id from program p where ${dueToExpireSql('p', '$1')}
      and not exists (select 1 from job j where j.workspace_id = p.workspace_id and j.concurrency_key = 'program:' || p.id and j.status in ('queued', 'running'))
      order by p.stopped_at limit 1000`, [parseDuration(this.env.INTERACTIONS_EXPIRE_AFTER) / 1000])) as { id: string; workspace_id: string }[];
    let queued = 0;
    for (const p of due) {
      try {
        await this.ds.transaction((em) => this.jobs.enqueue(em, {
          workspaceId: p.workspace_id, kind: 'expire', requestedBy: 'system', params: { programId: p.id, context: systemContext(p.workspace_id) },
          concurrencyKey: `program:${p.id}`, timeoutMs: parseDuration(this.env.INTERACTIONS_JOB_TIMEOUT), maxAttempts: 5,
        }));
        queued += 1;
      } catch (err) {
        if (!(err instanceof DomainError && err.code === ErrorCode.JobAlreadyRunning)) throw err;
      }
    }
    if (queued) this.runner.poke();
    return queued;
  }
}
