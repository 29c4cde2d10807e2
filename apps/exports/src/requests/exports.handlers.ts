import { randomUUID } from 'node:crypto';
import {
  cancelExportV1, isContactDatasetField, DomainError, downloadExportV1, ErrorCode, getExportV1, getWebhookSecretV1, INTERACTION_DATASET_COLUMNS, listExportsV1, RANGED_DATASETS, requestExportV1, type CommandContext, type ExportPage, type ExportView, type GetExportV1, type ListExportsV1, type RequestExportV1, validationFailed,
} from '@custodian/contracts';
import { formatDuration } from '@custodian/config';
import { JobRunner, JobStore, toJobView, type TypedJobRow } from '@custodian/jobs';
import { CommandHandler } from '@custodian/messaging';
import { decodeCursor, encodeCursor, isTimeZone } from '@custodian/persistence';
import { ObjectStorage } from '@custodian/storage';
import { Controller, Inject } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { notifyPolicy, webhookSecret } from '../notifications/notifications.js';
import { checkUrl, RefusedUrl } from '../notifications/safe-post.js';
import { ExportRun, type ExportParams, type ExportRequest, type ExportResult } from '../runs/export-run.js';

type ExportJobRow = TypedJobRow<ExportParams, ExportResult>;

/** Where an export's notification and delivery stand (the exports service's own tables). */
interface SendingState {
  n_status: 'pending' | 'delivered' | 'failed' | null; n_attempts: number | null; n_error: string | null;
  d_status: 'pending' | 'delivered' | 'failed' | null; d_attempts: number | null; d_error: string | null; d_delivered_at: Date | null;
}

type ExportRow = ExportJobRow & SendingState;

/** Export requests, status, history, cancel and download: the exports service's side of `/v1/exports`. */
@Controller()
export class ExportHandlers {
  constructor(private readonly ds: DataSource, private readonly jobs: JobStore, private readonly runner: JobRunner, private readonly exports: ExportRun,
    private readonly storage: ObjectStorage, @Inject(ExportsEnv) private readonly env: ExportsEnv) {}

  @CommandHandler(requestExportV1)
  async request(data: RequestExportV1, context: CommandContext): Promise<ExportView> {
    const request = this.checked(data);
    const ws = context.workspaceId;
    const row = await this.ds.transaction(async (em) => {
      if (!(await isTimeZone(em, request.timeZone))) throw validationFailed('timeZone', `"${request.timeZone}" is not an IANA time zone`);
      if (request.delivery.method !== 'download') {
        const [destination] = (await em.query('select kind from destination where workspace_id = $1 and id = $2',
          [ws, request.delivery.destinationId ?? null])) as { kind: string }[];
        if (destination?.kind !== request.delivery.method) {
          throw new DomainError(ErrorCode.DestinationNotAllowed, `delivery by ${request.delivery.method} needs one of the workspace's ${request.delivery.method} destinations (/v1/settings/export-destinations)`,
            { errors: [{ path: 'delivery.destinationId', message: destination ? `is a ${destination.kind} destination` : 'not on the allowlist' }] });
        }
      }
      await this.jobs.refuseWhileActive(em, ws, 'export', data.idempotencyKey);
      if (data.idempotencyKey && (await this.jobs.byIdempotencyKey(em, this.exports.definition, ws, data.idempotencyKey))) {
        return this.enqueue(em, request, context, data.idempotencyKey);
      }
      // After a discarded export, the next may come only a while after the discarded one was requested.
      const wait = await this.jobs.coolingDown(em, this.exports.definition, ws, 'discarded', this.env.EXPORTS_COOLDOWN);
      if (wait !== null) {
        throw new DomainError(ErrorCode.ExportCoolingDown, `an export of this workspace was discarded for running too long; request again in ${wait} s`,
          { retryAfter: Math.max(1, wait) });
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
    const cursor = data.cursor ? decodeCursor(data.cursor) : undefined;
    if (cursor === null) throw validationFailed('cursor', 'not a cursor of this list');
    const rows = await this.jobs.page(this.ds.manager, this.exports.definition, context.workspaceId, limit + 1, cursor as [string, string] | undefined);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const items = await this.withSending(this.ds.manager, page);
    return { items: items.map(toExportView), nextCursor: rows.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null };
  }

  /** Cancels a queued or running export; its event-less end still notifies, and any partial file goes. */
  @CommandHandler(cancelExportV1)
  async cancel(data: GetExportV1, context: CommandContext): Promise<ExportView> {
    const row = await this.ds.transaction(async (em) => {
      const current = await this.find(em, context.workspaceId, data.id, true);
      if (!['queued', 'running'].includes(current.status)) {
        throw new DomainError(ErrorCode.JobAlreadyRunning, `export ${data.id} is ${current.status}; only a queued or running export can be cancelled`);
      }
      await this.runner.cancel(em, context.workspaceId, data.id, { running: true, code: 'EXPORT_CANCELLED', message: `cancelled by ${context.actor.id}` });
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
    const result = row.result!;
    const ttl = Math.max(1, Math.floor(this.env.EXPORTS_DOWNLOAD_URL_TTL / 1000));
    const fileName = `${row.params.request.dataset}-${row.id}.${result.key.endsWith('.gz') ? 'csv.gz' : 'csv'}`;
    const url = await this.storage.presignedDownloadUrl('exports', result.key, { expiresInSeconds: ttl, fileName });
    return { url, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() };
  }

  @CommandHandler(getWebhookSecretV1)
  async secret(_data: object, context: CommandContext): Promise<{ secret: string }> {
    return { secret: await webhookSecret(this.ds.manager, context.workspaceId) };
  }

  private async enqueue(em: EntityManager, request: ExportRequest, context: CommandContext, idempotencyKey?: string): Promise<ExportRow> {
    const params: ExportParams = { request, context, ...(request.dataset === 'users' ? { profilesRequestId: randomUUID() } : {}) };
    const { job } = await this.jobs.enqueue(em, this.exports.definition, {
      workspaceId: context.workspaceId, requestedBy: context.actor.id, correlationId: context.correlationId,
      params, idempotencyKey, ignoreForIdempotency: ['context', 'profilesRequestId'], concurrencyKey: 'export',
      expiresAt: new Date(Date.now() + this.env.EXPORTS_VALIDITY),
    });
    return this.find(em, context.workspaceId, job.id);
  }

  private async find(em: EntityManager, workspaceId: string, id: string, lock = false): Promise<ExportRow> {
    const row = await this.jobs.find(em, this.exports.definition, workspaceId, id, { lock });
    if (!row) throw new DomainError(ErrorCode.NotFound, `export ${id} not found`);
    const [withSending] = await this.withSending(em, [row]);
    return withSending!;
  }

  /** The export jobs with where their notification and delivery stand, in one query for all of them. */
  private async withSending<T extends ExportJobRow>(em: EntityManager, rows: T[]): Promise<(T & SendingState)[]> {
    if (!rows.length) return [];
    const states = (await em.query(`select j.id, n.status as n_status, n.attempts as n_attempts, n.last_error as n_error,
        d.status as d_status, d.attempts as d_attempts, d.last_error as d_error, d.delivered_at as d_delivered_at
      from unnest($1::uuid[]) as j(id) left join notification n on n.job_id = j.id left join delivery d on d.job_id = j.id`,
    [rows.map((r) => r.id)])) as (SendingState & { id: string })[];
    const byId = new Map(states.map((s) => [s.id, s]));
    return rows.map((r) => ({ ...r, ...byId.get(r.id)! }));
  }

  /** The request with its defaults, or VALIDATION_FAILED naming every problem. */
  private checked(data: RequestExportV1): ExportRequest {
    const errors: { path: string; message: string }[] = [];
    const ranged = RANGED_DATASETS.includes(data.dataset);
    if (ranged && (!data.from || !data.to)) errors.push({ path: data.from ? 'to' : 'from', message: `from and to are required for ${data.dataset}` });
    if (data.from && data.to) {
      const span = Date.parse(data.to) - Date.parse(data.from);
      if (span <= 0) errors.push({ path: 'to', message: 'must be after from' });
      if (span > this.env.EXPORTS_MAX_RANGE) errors.push({ path: 'to', message: `the range is at most a year (${formatDuration(this.env.EXPORTS_MAX_RANGE)})` });
    }
    const known = (f: string) => (data.dataset === 'contacts' ? isContactDatasetField(f) : (INTERACTION_DATASET_COLUMNS[data.dataset] as readonly string[]).includes(f));
    for (const f of data.fields ?? []) {
      if (!known(f)) errors.push({ path: 'fields', message: `"${f}" is not a column of ${data.dataset}` });
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


export function toExportView(row: ExportRow): ExportView {
  const { kind: _kind, result: _result, ...job } = toJobView(row);
  const r = row.params.request;
  const result = job.status === 'succeeded' ? row.result : null;
  return {
    ...job, dataset: r.dataset, rows: result?.rows ?? null, bytes: result?.bytes ?? null, sha256: result?.sha256 ?? null,
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
