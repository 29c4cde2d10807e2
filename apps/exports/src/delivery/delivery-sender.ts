import { parseDuration } from '@custodian/config';
import { LOGGER, type Logger } from '@custodian/observability';
import { ObjectStorage } from '@custodian/storage';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { backoffSecs, startTicking } from '../ticker.js';
import { open } from './credentials.js';
import { deliveryPolicy, type DestinationRow } from './destinations.handlers.js';
import { uploadSftp, uploadWebdav, type Target } from './uploads.js';

/** Queues the delivery of a succeeded export's file (and its manifest), in the transaction that ends it. */
export async function queueDelivery(em: EntityManager, d: { workspaceId: string; jobId: string; destinationId: string; key: string; manifestKey: string; fileName: string }): Promise<void> {
  await em.query(`insert into delivery (job_id, workspace_id, destination_id, key, manifest_key, file_name) values ($1, $2, $3, $4, $5, $6)
    on conflict (job_id) do nothing`, [d.jobId, d.workspaceId, d.destinationId, d.key, d.manifestKey, d.fileName]);
}

interface Due { job_id: string; key: string; manifest_key: string; file_name: string; attempts: number; destination: DestinationRow | null }

/**
 * Uploads succeeded exports to their SFTP or WebDAV destination: the file, then its manifest (its
 * arrival says the file is complete). Failures are retried with exponential backoff and end
 * `failed` after the configured attempts; the file stays downloadable either way. Safe with
 * replicas: each claims a delivery with SKIP LOCKED.
 */
@Injectable()
export class DeliverySender implements OnApplicationBootstrap, OnApplicationShutdown {
  private stop?: () => Promise<void>;

  constructor(private readonly ds: DataSource, private readonly storage: ObjectStorage, @Inject(ExportsEnv) private readonly env: ExportsEnv,
    @Inject(LOGGER) private readonly logger: Logger) {}

  onApplicationBootstrap(): void {
    this.stop = startTicking(() => this.deliverDue(), () => 500, this.logger, 'delivering exports');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop?.();
  }

  async deliverDue(): Promise<void> {
    for (;;) {
      const done = await this.ds.transaction(async (em) => {
        const [due] = (await em.query(`select d.job_id, d.key, d.manifest_key, d.file_name, d.attempts, case when t.id is null then null else to_jsonb(t) end as destination
          from delivery d left join destination t on t.id = d.destination_id
          where d.status = 'pending' and d.next_attempt_at <= now() order by d.next_attempt_at limit 1 for update of d skip locked`)) as Due[];
        if (!due) return false;
        await this.attempt(em, due);
        return true;
      });
      if (!done) return;
    }
  }

  private async attempt(em: EntityManager, d: Due): Promise<void> {
    let error: string | null = null;
    let final = false;
    try {
      if (!d.destination) {
        final = true;
        throw new Error('the destination was removed from the allowlist');
      }
      const t = d.destination;
      const target: Target = { kind: t.kind, host: t.host, port: t.port, path: t.path, tls: t.tls, username: t.username, password: open(this.env.EXPORTS_CREDENTIALS_KEY, t.secret),
        hostKey: t.host_key };
      for (const [key, name] of [[d.key, d.file_name], [d.manifest_key, `${d.file_name}.manifest.json`]] as const) {
        const stat = await this.storage.stat('exports', key);
        if (!stat) {
          final = true;
          throw new Error('the file is no longer in storage (the export expired)');
        }
        const open = () => this.storage.download('exports', key);
        const policy = deliveryPolicy(this.env);
        const timeoutMs = parseDuration(this.env.EXPORTS_DELIVERY_TIMEOUT);
        if (target.kind === 'sftp') {
          const presented = await uploadSftp(target, name, open, policy, timeoutMs);
          if (target.hostKey === null) {
            // Trust on first use: the key of the first delivery is the one every later delivery requires.
            target.hostKey = presented;
            await em.query('update destination set host_key = $2 where id = $1 and host_key is null', [t.id, presented]);
          }
        } else {
          await uploadWebdav(target, name, open, stat.bytes, policy, timeoutMs);
        }
      }
    } catch (err) {
      error = (err as Error).message;
    }
    const attempts = d.attempts + 1;
    if (error === null) {
      await em.query(`update delivery set status = 'delivered', attempts = $2, delivered_at = now(), last_error = null where job_id = $1`, [d.job_id, attempts]);
      return;
    }
    const giveUp = final || attempts >= this.env.EXPORTS_DELIVERY_ATTEMPTS;
    await em.query(`update delivery set status = $2, attempts = $3, last_error = $4, next_attempt_at = now() + make_interval(secs => $5) where job_id = $1`,
      [d.job_id, giveUp ? 'failed' : 'pending', attempts, error.slice(0, 1000), backoffSecs(parseDuration(this.env.EXPORTS_DELIVERY_BACKOFF) / 1000, attempts)]);
    this.logger.warn({ jobId: d.job_id, attempts, err: error }, giveUp ? 'export delivery failed for good' : 'export delivery failed; will retry');
  }
}
