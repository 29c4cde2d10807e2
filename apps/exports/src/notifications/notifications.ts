import { startSweeping, type PeriodicSweep } from '@custodian/jobs';
import { createHmac, randomBytes } from 'node:crypto';
import { LOGGER, type Logger } from '@custodian/observability';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { backoffSecs } from '../retry-backoff.js';
import { devPolicy, postSafely, productionPolicy, RefusedUrl, type AddressPolicy } from './safe-post.js';

export const notifyPolicy = (env: ExportsEnv): AddressPolicy => (env.EXPORTS_NOTIFY_ALLOW_PRIVATE ? devPolicy : productionPolicy);

/** Queues the notification of an ended export, in the transaction that ends it (sent once it commits). */
export async function queueNotification(em: EntityManager, workspaceId: string, jobId: string, url: string, payload: object): Promise<void> {
  await em.query(`insert into notification (workspace_id, job_id, url, payload) values ($1, $2, $3, $4) on conflict (job_id) do nothing`, [
    workspaceId,
    jobId,
    url,
    JSON.stringify(payload),
  ]);
}

/** The workspace's signing secret (`whsec_` + base64 of 32 random bytes), made on first use. */
export async function webhookSecret(em: EntityManager, workspaceId: string): Promise<string> {
  await em.query('insert into webhook_secret (workspace_id, secret) values ($1, $2) on conflict do nothing', [
    workspaceId,
    `whsec_${randomBytes(32).toString('base64')}`,
  ]);
  const [{ secret }] = (await em.query('select secret from webhook_secret where workspace_id = $1', [workspaceId])) as [{ secret: string }];
  return secret;
}

/** Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body` with the secret's bytes, as `v1,<signature>`. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

interface Due {
  id: string;
  workspace_id: string;
  url: string;
  payload: object;
  attempts: number;
}

/**
 * Sends queued notifications, signed, through the address guard; retries with exponential backoff
 * and ends `failed` after the configured attempts. Safe with replicas: each claims rows with
 * SKIP LOCKED.
 */
@Injectable()
export class NotificationSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeping?: PeriodicSweep;

  constructor(
    private readonly ds: DataSource,
    @Inject(ExportsEnv) private readonly env: ExportsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeping = startSweeping('sending export notifications', (signal) => this.sendDue(signal), 500, this.logger);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeping?.stop();
  }

  async sendDue(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const sent = await this.ds.transaction(async (em) => {
        const [due] = (await em.query(`select id, workspace_id, url, payload, attempts from notification
          where status = 'pending' and next_attempt_at <= now() order by next_attempt_at limit 1 for update skip locked`)) as Due[];
        if (!due) return false;
        await this.attempt(em, due);
        return true;
      });
      if (!sent || signal?.aborted) return;
    }
  }

  private async attempt(em: EntityManager, n: Due): Promise<void> {
    const body = JSON.stringify(n.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const secret = await webhookSecret(em, n.workspace_id);
    let error: string | null = null;
    let final = false;
    try {
      const status = await postSafely(
        n.url,
        body,
        {
          'webhook-id': n.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature(secret, n.id, timestamp, body),
          'user-agent': 'custodian-exports',
        },
        { policy: notifyPolicy(this.env), timeoutMs: this.env.EXPORTS_NOTIFY_TIMEOUT },
      );
      if (status < 200 || status >= 300) error = `answered ${status}`;
    } catch (err) {
      error = (err as Error).message;
      // A refused address will not become allowed by trying again.
      final = err instanceof RefusedUrl || (err as { code?: string }).code === 'EREFUSED_ADDRESS';
    }
    const attempts = n.attempts + 1;
    if (error === null) {
      await em.query(`update notification set status = 'delivered', attempts = $2, delivered_at = now(), last_error = null where id = $1`, [n.id, attempts]);
      return;
    }
    const giveUp = final || attempts >= this.env.EXPORTS_NOTIFY_ATTEMPTS;
    await em.query(`update notification set status = $2, attempts = $3, last_error = $4, next_attempt_at = now() + make_interval(secs => $5) where id = $1`, [
      n.id,
      giveUp ? 'failed' : 'pending',
      attempts,
      error.slice(0, 1000),
      backoffSecs(this.env.EXPORTS_NOTIFY_BACKOFF / 1000, attempts),
    ]);
    this.logger.warn({ notification: n.id, attempts, err: error }, giveUp ? 'export notification failed for good' : 'export notification failed; will retry');
  }
}
