import { startSweeping, type PeriodicSweep } from '@custodian/jobs';
import { LOGGER, type Logger } from '@custodian/observability';
import { ObjectStorage } from '@custodian/storage';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { backoffSecs } from '../retry-backoff.js';
import { open } from './credentials.js';
import { deliveryPolicy, type DestinationRow } from './destinations.handlers.js';
import { uploadSftp, uploadWebdav, type Target } from './uploads.js';

/** Queues the delivery of a succeeded export's file (and its manifest), in the transaction that ends it. */
export async function queueDelivery(
  em: EntityManager,
  d: { workspaceId: string; jobId: string; destinationId: string; key: string; manifestKey: string; fileName: string },
): Promise<void> {
  await em.query(
    `insert into delivery (job_id, workspace_id, destination_id, key, manifest_key, file_name) values ($1, $2, $3, $4, $5, $6)
    on conflict (job_id) do nothing`,
    [d.jobId, d.workspaceId, d.destinationId, d.key, d.manifestKey, d.fileName],
  );
}

interface Due {
  job_id: string;
  key: string;
  manifest_key: string;
  file_name: string;
  attempts: number;
  destination: DestinationRow | null;
  /** The claim's token: the next attempt time it set, exactly as stored. */
  lease: string;
}

/** How long a claimed delivery is left alone by other replicas; renewed while the upload runs. */
const LEASE_SECS = 60;

/**
 * Uploads succeeded exports to their SFTP or WebDAV destination: the file, then its manifest (its
 * arrival says the file is complete). Failures are retried with exponential backoff and end
 * `failed` after the configured attempts; the file stays downloadable either way. Safe with
 * replicas: a delivery is claimed by moving its next attempt past a lease (renewed while it
 * uploads), so no transaction stays open during the upload, and a process that dies leaves the
 * delivery to be taken again once the lease passes.
 */
@Injectable()
export class DeliverySender implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeping?: PeriodicSweep;

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    @Inject(ExportsEnv) private readonly env: ExportsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeping = startSweeping('delivering exports', (signal) => this.deliverDue(signal), 500, this.logger);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeping?.stop();
  }

  async deliverDue(signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted) {
      const due = await this.claim();
      if (!due) return;
      let lease = due.lease;
      const renewal = setInterval(
        () => {
          this.ds
            .query(
              `update delivery set next_attempt_at = now() + make_interval(secs => $3) where job_id = $1 and status = 'pending' and next_attempt_at = $2::timestamptz
          returning next_attempt_at::text as lease`,
              [due.job_id, lease, LEASE_SECS],
            )
            .then((r: { lease: string }[]) => {
              if (r[0]) lease = r[0].lease;
            })
            .catch(() => undefined);
        },
        (LEASE_SECS * 1000) / 3,
      );
      try {
        const outcome = await this.attempt(due);
        await this.record(due, () => lease, outcome);
      } finally {
        clearInterval(renewal);
      }
    }
  }

  /** The next due delivery, taken for a lease in a short transaction of its own. */
  private async claim(): Promise<Due | null> {
    const [due] = (await this.ds.query(
      `with claimed as (
        update delivery set next_attempt_at = now() + make_interval(secs => $1)
        where job_id = (select job_id from delivery where status = 'pending' and next_attempt_at <= now() order by next_attempt_at limit 1 for update skip locked)
        returning job_id, key, manifest_key, file_name, attempts, destination_id, next_attempt_at::text as lease)
      select c.job_id, c.key, c.manifest_key, c.file_name, c.attempts, c.lease, case when t.id is null then null else to_jsonb(t) end as destination
      from claimed c left join destination t on t.id = c.destination_id`,
      [LEASE_SECS],
    )) as Due[];
    return due ?? null;
  }

  /** Uploads the file and its manifest; answers the error, and whether retrying is pointless. */
  private async attempt(d: Due): Promise<{ error: string | null; final: boolean }> {
    let error: string | null = null;
    let final = false;
    try {
      if (!d.destination) {
        final = true;
        throw new Error('the destination was removed from the allowlist');
      }
      const t = d.destination;
      const target: Target = {
        kind: t.kind,
        host: t.host,
        port: t.port,
        path: t.path,
        tls: t.tls,
        username: t.username,
        password: open(this.env.EXPORTS_CREDENTIALS_KEY, t.secret),
        hostKey: t.host_key,
      };
      for (const [key, name] of [
        [d.key, d.file_name],
        [d.manifest_key, `${d.file_name}.manifest.json`],
      ] as const) {
        const stat = await this.storage.stat('exports', key);
        if (!stat) {
          final = true;
          throw new Error('the file is no longer in storage (the export expired)');
        }
        const openFile = () => this.storage.download('exports', key);
        const policy = deliveryPolicy(this.env);
        const timeoutMs = this.env.EXPORTS_DELIVERY_TIMEOUT;
        if (target.kind === 'sftp') {
          const presented = await uploadSftp(target, name, openFile, policy, timeoutMs);
          if (target.hostKey === null) {
            // Trust on first use: the key of the first delivery is the one every later delivery requires.
            target.hostKey = presented;
            await this.ds.query('update destination set host_key = $2 where id = $1 and host_key is null', [t.id, presented]);
          }
        } else {
          await uploadWebdav(target, name, openFile, stat.bytes, policy, timeoutMs);
        }
      }
    } catch (err) {
      error = (err as Error).message;
    }
    return { error, final };
  }

  /** Records the outcome, unless the lease was lost meanwhile (another replica has the delivery now). */
  private async record(d: Due, lease: () => string, { error, final }: { error: string | null; final: boolean }): Promise<void> {
    const attempts = d.attempts + 1;
    if (error === null) {
      await this.ds.query(
        `update delivery set status = 'delivered', attempts = $2, delivered_at = now(), last_error = null
        where job_id = $1 and status = 'pending' and next_attempt_at = $3::timestamptz`,
        [d.job_id, attempts, lease()],
      );
      return;
    }
    const giveUp = final || attempts >= this.env.EXPORTS_DELIVERY_ATTEMPTS;
    await this.ds.query(
      `update delivery set status = $2, attempts = $3, last_error = $4, next_attempt_at = now() + make_interval(secs => $5)
      where job_id = $1 and status = 'pending' and next_attempt_at = $6::timestamptz`,
      [d.job_id, giveUp ? 'failed' : 'pending', attempts, error.slice(0, 1000), backoffSecs(this.env.EXPORTS_DELIVERY_BACKOFF / 1000, attempts), lease()],
    );
    this.logger.warn({ jobId: d.job_id, attempts, err: error }, giveUp ? 'export delivery failed for good' : 'export delivery failed; will retry');
  }
}
