import { randomUUID } from 'node:crypto';
import {
  cancelExportV1, CONTACT_DATASET_COLUMNS, DomainError, downloadExportV1, ErrorCode, getExportV1, getWebhookSecretV1, INTERACTION_DATASET_COLUMNS, listExportsV1, RANGED_DATASETS, requestExportV1, type CommandContext, type ExportPage, type ExportView,
  type GetExportV1, type ListExportsV1, type RequestExportV1,
} from '@custodian/contracts';
import { parseDuration } from '@custodian/config';
import { JobRunner, JobStore, toJobView, type JobRow } from '@custodian/jobs';
import { CommandHandler } from '@custodian/messaging';
import { decodeCursor, encodeCursor, isTimeZone } from '@custodian/persistence';
import { ObjectStorage } from '@custodian/storage';
import { Controller, Inject } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { notifyPolicy, webhookSecret } from '../notifications/notifications.js';
import { checkUrl, RefusedUrl } from '../notifications/safe-post.js';
import { exportEnded, type ExportParams, type ExportRequest, type ExportResult } from '../runs/export-run.js';

interface ExportRow extends JobRow {
  cursor_at: string;
  n_status: 'pending' | 'delivered' | 'failed' | null; n_attempts: number | null; n_error: string | null;
  d_status: 'pending' | 'delivered' | 'failed' | null; d_attempts: number | null; d_error: string | null; d_delivered_at: Date | null;
}

const EXPORT_SQL = `select j.*, to_char(j.requested_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
    n.status as n_status, n.attempts as n_attempts, n.last_error as n_error,
    d.status as d_status, d.attempts as d_attempts, d.last_error as d_error, d.delivered_at as d_delivered_at
  from job j left join notification n on n.job_id = j.id left join delivery d on d.job_id = j.id`;

/** Export requests, status, history, cancel and download: the exports service's side of `/v1/exports`. */
@Controller()
export class ExportHandlers {
  constructor(private readonly ds: DataSource, private readonly jobs: JobStore, private readonly runner: JobRunner, private readonly storage: ObjectStorage,
    @Inject(ExportsEnv) private readonly env: ExportsEnv) {}

  @CommandHandler(requestExportV1)
  async request(data: RequestExportV1, context: CommandContext): Promise<ExportView> {
    const request = this.checked(data);
    const ws = context.workspaceId;
    const row = await this.ds.transaction(async (em) => {
      if (!(await isTimeZone(em, request.timeZone))) throw invalid('timeZone', `"${request.timeZone}" is not an IANA time zone`);
      if (request.delivery.method !== 'download') {
        const [destination] = (await em.query('select kind from destination where workspace_id = $1 and id = $2',
          [ws, request.delivery.destinationId ?? null])) as { kind: string }[];
        if (destination?.kind !== request.delivery.method) {
          throw new DomainError(ErrorCode.DestinationNotAllowed, `delivery by ${request.delivery.method} needs one of the workspace's ${request.delivery.method} destinations (/v1/settings/export-destinations)`,
            { errors: [{ path: 'delivery.destinationId', message: destination ? `is a ${destination.kind} destination` : 'not on the allowlist' }] });
        }
      }
      await this.jobs.refuseWhileActive(em, ws, 'export', data.idempotencyKey);
      if (data.idempotencyKey) {
        const [same] = (await em.query(`select id from job where workspace_id = $1 and kind = 'export' and idempotency_key = $2`, [ws, data.idempotencyKey])) as { id: string }[];
        if (same) return this.enqueue(em, request, context, data.idempotencyKey);
      }
      // After a discarded export, the next may come only a while after the discarded one was requested.
      const [cooling] = (await em.query(`select ceil(extract(epoch from requested_at + make_interval(secs => $2) - now()))::int as wait
        from job where workspace_id = $1 and kind = 'export' and status = 'discarded' and requested_at + make_interval(secs => $2) > now()
        order by requested_at desc limit 1`, [ws, parseDuration(this.env.EXPORTS_COOLDOWN) / 1000])) as { wait: number }[];
      if (cooling) {
        throw new DomainError(ErrorCode.ExportCoolingDown, `an export of this workspace was discarded for running too long; request again in ${cooling.wait} s`,
          { retryAfter: Math.max(1, cooling.wait) });
      }
      return this.enqueue(em, request, context, data.idempotencyKey);
    });
    this.runner.poke();
    return toExportView(row);
  }

  @CommandHandler(getExportV1)
  async get(data: GetExportV1, context: CommandContext): Promise<ExportView> {
    return toExportView(await this.find(this.ds.manager, context.workspaceId, data.id));
  }

  @CommandHandler(listExportsV1)
  async list(data: ListExportsV1, context: CommandContext): Promise<ExportPage> {
    const limit = data.limit ?? 50;
    const params: unknown[] = [context.workspaceId, limit + 1];
    let after = '';
    if (data.cursor) {
      const cursor = decodeCursor(data.cursor);
      if (!cursor) throw invalid('cursor', 'not a cursor of this list');
      params.push(...cursor);
      after = 'and (j.requested_at, j.id) < ($3::timestamptz, $4::uuid)';
    }
    const rows = (await this.ds.query(`${EXPORT_SQL} where j.workspace_id = $1 and j.kind = 'export' ${after}
      order by j.requested_at desc, j.id desc limit $2`, params)) as ExportRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toExportView), nextCursor: rows.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null };
  }

  /** Cancels a queued or running export; its event-less end still notifies, and any partial file goes. */
  @CommandHandler(cancelExportV1)
  async cancel(data: GetExportV1, context: CommandContext): Promise<ExportView> {
    const row = await this.ds.transaction(async (em) => {
      const current = await this.find(em, context.workspaceId, data.id, true);
      if (!['queued', 'running'].includes(current.status)) {
        throw new DomainError(ErrorCode.JobAlreadyRunning, `export ${data.id} is ${current.status}; only a queued or running export can be cancelled`);
      }
      await em.query(`update job set status = 'cancelled', finished_at = now(), lease_owner = null, lease_expires_at = null,
        error_code = 'EXPORT_CANCELLED', error_message = $2 where id = $1`, [data.id, `cancelled by ${context.actor.id}`]);
      const cancelled = await this.find(em, context.workspaceId, data.id);
      await exportEnded(em, toJobView(cancelled), cancelled.params as unknown as ExportParams);
      return this.find(em, context.workspaceId, data.id);
    });
    return toExportView(row);
  }

  /** A fresh short-lived URL of the file while it is valid; gone after. */
  @CommandHandler(downloadExportV1)
  async download(data: GetExportV1, context: CommandContext): Promise<{ url: string; expiresAt: string }> {
    const row = await this.find(this.ds.manager, context.workspaceId, data.id);
    const expired = row.status === 'expired' || (row.expires_at !== null && row.expires_at.getTime() <= Date.now());
    if (expired) throw new DomainError(ErrorCode.ExportExpired, `the file of export ${data.id} was valid until ${row.expires_at?.toISOString()}; request the export again`);
    if (row.status !== 'succeeded') throw new DomainError(ErrorCode.JobAlreadyRunning, `export ${data.id} is ${row.status}; there is no file to download`);
    const result = row.result as unknown as ExportResult;
    const ttl = Math.max(1, Math.floor(parseDuration(this.env.EXPORTS_DOWNLOAD_URL_TTL) / 1000));
    const fileName = `${(row.params as unknown as ExportParams).request.dataset}-${row.id}.${result.key.endsWith('.gz') ? 'csv.gz' : 'csv'}`;
    const url = await this.storage.presignedDownloadUrl('exports', result.key, { expiresInSeconds: ttl, fileName });
    return { url, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() };
  }

  @CommandHandler(getWebhookSecretV1)
  async secret(_data: object, context: CommandContext): Promise<{ secret: string }> {
    return { secret: await webhookSecret(this.ds.manager, context.workspaceId) };
  }

  private async enqueue(em: EntityManager, request: ExportRequest, context: CommandContext, idempotencyKey?: string): Promise<ExportRow> {
    const params: ExportParams = { request, context, ...(request.dataset === 'users' ? { profilesRequestId: randomUUID() } : {}) };
    const { job } = await this.jobs.enqueue(em, {
      workspaceId: context.workspaceId, kind: 'export', requestedBy: context.actor.id, correlationId: context.correlationId,
      params: params as unknown as Record<string, unknown>, idempotencyKey, ignoreForIdempotency: ['context', 'profilesRequestId'],
      concurrencyKey: 'export', timeoutMs: parseDuration(this.env.EXPORTS_TIMEOUT), maxAttempts: 5,
      expiresAt: new Date(Date.now() + parseDuration(this.env.EXPORTS_VALIDITY)),
    });
    return this.find(em, context.workspaceId, job.id);
  }

  private async find(em: EntityManager, workspaceId: string, id: string, lock = false): Promise<ExportRow> {
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
      ? (await em.query(`${EXPORT_SQL} where j.workspace_id = $1 and j.id = $2 and j.kind = 'export'${lock ? ' for update of j' : ''}`, [workspaceId, id])) as ExportRow[]
      : [];
    if (!row) throw new DomainError(ErrorCode.NotFound, `export ${id} not found`);
    return row;
  }

  /** The request with its defaults, or VALIDATION_FAILED naming every problem. */
  private checked(data: RequestExportV1): ExportRequest {
    const errors: { path: string; message: string }[] = [];
    const ranged = RANGED_DATASETS.includes(data.dataset);
    if (ranged && (!data.from || !data.to)) errors.push({ path: data.from ? 'to' : 'from', message: `from and to are required for ${data.dataset}` });
    if (data.from && data.to) {
      const span = Date.parse(data.to) - Date.parse(data.from);
      if (span <= 0) errors.push({ path: 'to', message: 'must be after from' });
      if (span > parseDuration(this.env.EXPORTS_MAX_RANGE)) errors.push({ path: 'to', message: `the range is at most a year (${this.env.EXPORTS_MAX_RANGE})` });
    }
    const columns: readonly string[] = data.dataset === 'contacts' ? CONTACT_DATASET_COLUMNS : INTERACTION_DATASET_COLUMNS[data.dataset];
    for (const f of data.fields ?? []) {
      if (!columns.includes(f) && !(data.dataset === 'contacts' && /^fields\.[^\0]{1,200}$/.test(f))) errors.push({ path: 'fields', message: `"${f}" is not a column of ${data.dataset}` });
    }
    const f = data.filters ?? {};
    if (f.campaignId && ['contacts', 'conversations'].includes(data.dataset)) errors.push({ path: 'filters.campaignId', message: `does not apply to ${data.dataset}` });
    if ((f.listId || f.tag) && !['contacts', 'users'].includes(data.dataset)) errors.push({ path: f.listId ? 'filters.listId' : 'filters.tag', message: `does not apply to ${data.dataset}` });
    const delivery = data.delivery ?? { method: 'download' };
    if (delivery.method === 'download' && delivery.destinationId) errors.push({ path: 'delivery.destinationId', message: 'only for sftp and webdav delivery' });
    if (data.notificationUrl) {
      try {
        checkUrl(data.notificationUrl, notifyPolicy(this.env));
      } catch (err) {
        if (!(err instanceof RefusedUrl)) throw err;
        throw new DomainError(ErrorCode.NotificationUrlRefused, `notificationUrl refused: ${err.message}`, { errors: [{ path: 'notificationUrl', message: err.message }] });
      }
    }
    if (errors.length) throw new DomainError(ErrorCode.ValidationFailed, errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
    return {
      ...data, timeZone: data.timeZone ?? this.env.EXPORTS_DEFAULT_TIME_ZONE, delimiter: data.delimiter ?? ',', header: data.header ?? true,
      compression: data.compression ?? 'none', delivery, idempotencyKey: undefined,
    };
  }
}

function invalid(path: string, message: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, `${path}: ${message}`, { errors: [{ path, message }] });
}

export function toExportView(row: ExportRow): ExportView {
  const job = toJobView(row);
  const p = row.params as unknown as ExportParams;
  const r = p.request;
  const result = job.status === 'succeeded' ? (job.result as unknown as ExportResult) : null;
  return {
    id: job.id, dataset: r.dataset, status: job.status, progress: job.progress, requestedBy: job.requestedBy, requestedAt: job.requestedAt,
    startedAt: job.startedAt, finishedAt: job.finishedAt, expiresAt: job.expiresAt,
    rows: result?.rows ?? null, bytes: result?.bytes ?? null, sha256: result?.sha256 ?? null, error: job.error,
    request: {
      from: r.from ?? null, to: r.to ?? null, fields: r.fields ?? null, filters: r.filters ?? {}, timeZone: r.timeZone, delimiter: r.delimiter,
      header: r.header, compression: r.compression,
    },
    delivery: {
      method: r.delivery.method, destinationId: r.delivery.destinationId ?? null,
      status: r.delivery.method === 'download' ? null : row.d_status ?? (job.status === 'succeeded' ? 'pending' : null),
      attempts: row.d_attempts ?? 0, error: row.d_error ?? null, deliveredAt: row.d_delivered_at?.toISOString() ?? null,
    },
    notification: r.notificationUrl
      ? { url: r.notificationUrl, status: row.n_status ?? 'pending', attempts: row.n_attempts ?? 0, error: row.n_error ?? null }
      : null,
  };
}
