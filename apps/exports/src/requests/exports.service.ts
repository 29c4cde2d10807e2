import { randomUUID } from 'node:crypto';
import {
  DomainError,
  ErrorCode,
  validationFailed,
  type CommandContext,
  type ExportPage,
  type ExportView,
  type ListExportsV1,
  type RequestExportV1,
} from '@custodian/contracts';
import { JobRunner, JobStore } from '@custodian/jobs';
import { boundedPage, decodeCursor, encodeCursor, isTimeZone } from '@custodian/persistence';
import { ObjectStorage } from '@custodian/storage';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { webhookSecret } from '../notifications/notifications.js';
import { ExportRun, type ExportParams, type ExportRequest } from '../runs/export-run.js';
import { destinationKind, toExportView, withSending, type ExportRow } from './export-queries.js';
import { checkedRequest } from './export-request.js';

/** The rules of export requests: one at a time, the cool-down after a discard, validity, cancel and download. */
@Injectable()
export class ExportsService {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly exports: ExportRun,
    private readonly storage: ObjectStorage,
    @Inject(ExportsEnv) private readonly env: ExportsEnv,
  ) {}

  async request(data: RequestExportV1, context: CommandContext): Promise<ExportView> {
    const request = checkedRequest(data, this.env);
    const ws = context.workspaceId;
    const row = await this.ds.transaction(async (em) => {
      if (!(await isTimeZone(em, request.timeZone))) throw validationFailed('timeZone', `"${request.timeZone}" is not an IANA time zone`);
      if (request.delivery.method !== 'download') {
        const kind = await destinationKind(em, ws, request.delivery.destinationId);
        if (kind !== request.delivery.method) {
          throw new DomainError(
            ErrorCode.DestinationNotAllowed,
            `delivery by ${request.delivery.method} needs one of the workspace's ${request.delivery.method} destinations (/v1/settings/export-destinations)`,
            { errors: [{ path: 'delivery.destinationId', message: kind ? `is a ${kind} destination` : 'not on the allowlist' }] },
          );
        }
      }
      await this.jobs.refuseWhileActive(em, ws, 'export', data.idempotencyKey);
      if (data.idempotencyKey && (await this.jobs.byIdempotencyKey(em, this.exports.definition, ws, data.idempotencyKey))) {
        return this.enqueue(em, request, context, data.idempotencyKey);
      }
      // After a discarded export, the next may come only a while after the discarded one was requested.
      const wait = await this.jobs.coolingDown(em, this.exports.definition, ws, 'discarded', this.env.EXPORTS_COOLDOWN);
      if (wait !== null) {
        throw new DomainError(ErrorCode.ExportCoolingDown, `an export of this workspace was discarded for running too long; request again in ${wait} s`, {
          retryAfter: Math.max(1, wait),
        });
      }
      return this.enqueue(em, request, context, data.idempotencyKey);
    });
    this.runner.poke();
    return toExportView(row);
  }

  async get(workspaceId: string, id: string): Promise<ExportView> {
    return toExportView(await this.find(this.ds.manager, workspaceId, id));
  }

  async list(workspaceId: string, query: ListExportsV1): Promise<ExportPage> {
    const limit = query.limit ?? 50;
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    if (cursor === null) throw validationFailed('cursor', 'not a cursor of this list');
    const rows = await this.jobs.page(this.ds.manager, this.exports.definition, workspaceId, limit + 1, cursor as [string, string] | undefined);
    return boundedPage(await withSending(this.ds.manager, rows), limit, toExportView, (last) => encodeCursor(last.cursor_at, last.id));
  }

  /** Cancels a queued or running export; its event-less end still notifies, and any partial file goes. */
  async cancel(context: CommandContext, id: string): Promise<ExportView> {
    const row = await this.ds.transaction(async (em) => {
      const current = await this.find(em, context.workspaceId, id, true);
      if (!['queued', 'running'].includes(current.status)) {
        throw new DomainError(ErrorCode.JobAlreadyRunning, `export ${id} is ${current.status}; only a queued or running export can be cancelled`);
      }
      await this.runner.cancel(em, context.workspaceId, id, { running: true, code: 'EXPORT_CANCELLED', message: `cancelled by ${context.actor.id}` });
      return this.find(em, context.workspaceId, id);
    });
    return toExportView(row);
  }

  /** A fresh short-lived URL of the file while it is valid; gone after. */
  async download(workspaceId: string, id: string): Promise<{ url: string; expiresAt: string }> {
    const row = await this.find(this.ds.manager, workspaceId, id);
    const expired = row.status === 'expired' || (row.expires_at !== null && row.expires_at.getTime() <= Date.now());
    if (expired)
      throw new DomainError(ErrorCode.ExportExpired, `the file of export ${id} was valid until ${row.expires_at?.toISOString()}; request the export again`);
    if (row.status !== 'succeeded') throw new DomainError(ErrorCode.JobAlreadyRunning, `export ${id} is ${row.status}; there is no file to download`);
    const result = row.result!;
    const ttl = Math.max(1, Math.floor(this.env.EXPORTS_DOWNLOAD_URL_TTL / 1000));
    const fileName = `${row.params.request.dataset}-${row.id}.${result.key.endsWith('.gz') ? 'csv.gz' : 'csv'}`;
    const url = await this.storage.presignedDownloadUrl('exports', result.key, { expiresInSeconds: ttl, fileName });
    return { url, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() };
  }

  async webhookSecret(workspaceId: string): Promise<{ secret: string }> {
    return { secret: await webhookSecret(this.ds.manager, workspaceId) };
  }

  private async enqueue(em: EntityManager, request: ExportRequest, context: CommandContext, idempotencyKey?: string): Promise<ExportRow> {
    const params: ExportParams = { request, context, ...(request.dataset === 'users' ? { profilesRequestId: randomUUID() } : {}) };
    const { job } = await this.jobs.enqueue(em, this.exports.definition, {
      workspaceId: context.workspaceId,
      requestedBy: context.actor.id,
      correlationId: context.correlationId,
      params,
      idempotencyKey,
      ignoreForIdempotency: ['context', 'profilesRequestId'],
      concurrencyKey: 'export',
      expiresAt: new Date(Date.now() + this.env.EXPORTS_VALIDITY),
    });
    return this.find(em, context.workspaceId, job.id);
  }

  private async find(em: EntityManager, workspaceId: string, id: string, lock = false): Promise<ExportRow> {
    const row = await this.jobs.find(em, this.exports.definition, workspaceId, id, { lock });
    if (!row) throw new DomainError(ErrorCode.NotFound, `export ${id} not found`);
    const [found] = await withSending(em, [row]);
    return found!;
  }
}
