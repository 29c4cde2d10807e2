import { Readable } from 'node:stream';
import {
  exportCompletedV1,
  exportContactsDatasetV1,
  exportDiscardedV1,
  exportFailedV1,
  exportInteractionsDatasetV1,
  USER_PROFILE_COLUMNS,
  type CommandContext,
  type RequestExportV1,
} from '@custodian/contracts';
import { defineJob, JobFailure, JobStore, type ClaimedJob, type FinishedJob, type JobContext } from '@custodian/jobs';
import { CommandClient, recordEvent } from '@custodian/messaging';
import { objectKey, ObjectStorage } from '@custodian/storage';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { queueDelivery } from '../delivery/delivery-sender.js';
import { queueNotification } from '../notifications/notifications.js';
import { queueFileRemoval } from '../retention/file-removals.js';
import { DatasetResultWaits } from './dataset-result-waits.js';

/** An export request as stored with its job, every default filled in. */
export interface ExportRequest extends RequestExportV1 {
  timeZone: string;
  delimiter: ',' | ';';
  header: boolean;
  compression: 'none' | 'gzip';
  delivery: { method: 'download' | 'sftp' | 'webdav'; destinationId?: string };
}

export interface ExportParams {
  request: ExportRequest;
  context: CommandContext;
  /** The users dataset first asks contacts for the profiles under this request id. */
  profilesRequestId?: string;
}

export interface ExportResult {
  key: string;
  manifestKey: string;
  rows: number;
  bytes: number;
  sha256: string;
}

interface DatasetResult {
  ok: boolean;
  key: string | null;
  rows: string | null;
  bytes: string | null;
  sha256: string | null;
  columns: string[] | null;
  code: string | null;
  message: string | null;
}

/** Where an export's files go: derived from the job, so a later attempt or a cleanup finds them. */
export function exportKeys(job: { id: string; requestedAt: Date | string; workspaceId: string }, compression: 'none' | 'gzip') {
  const at = new Date(job.requestedAt);
  return {
    key: objectKey(job.workspaceId, 'exports', job.id, compression === 'gzip' ? 'csv.gz' : 'csv', at),
    manifestKey: objectKey(job.workspaceId, 'exports', job.id, 'manifest.json', at),
    profilesKey: objectKey(job.workspaceId, 'exports', `${job.id}-profiles`, 'csv', at),
  };
}

/**
 * Runs an export: asks the data owner for the dataset (idempotent by request id, so a second
 * attempt after a crash asks again and gets the same job), waits for what the owner reports,
 * checks the object against it, and writes the manifest. The file is never called ready unless
 * the object in storage has exactly the bytes the owner counted.
 */
@Injectable()
export class ExportRun {
  readonly definition = defineJob<ExportParams, ExportResult>({
    kind: 'export',
    timeout: this.env.EXPORTS_TIMEOUT,
    maxAttempts: 5,
    run: (job, ctx) => this.run(job, ctx),
    onFinished: (em, job) => exportEnded(em, job),
  });

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    private readonly owners: CommandClient,
    private readonly jobs: JobStore,
    private readonly reports: DatasetResultWaits,
    @Inject(ExportsEnv) private readonly env: ExportsEnv,
  ) {}

  /** Asks the data owner for the file, waits for its report, checks the file in storage, and writes the manifest next to it. */
  private async run(job: ClaimedJob<ExportParams>, ctx: JobContext<ExportResult>): Promise<ExportResult> {
    const r = job.params.request;
    const keys = exportKeys({ id: job.id, requestedAt: job.requestedAt, workspaceId: job.params.context.workspaceId }, r.compression);
    await this.askOwners(job, ctx, keys);
    const done = await this.settled(job.id, job, ctx);
    const stat = await this.storage.stat('exports', keys.key);
    if (!stat || stat.bytes !== Number(done.bytes)) {
      throw new JobFailure('EXPORT_INCOMPLETE', `the file has ${stat?.bytes ?? 'no'} bytes in storage; its owner wrote ${done.bytes}`);
    }
    const result: ExportResult = { key: keys.key, manifestKey: keys.manifestKey, rows: Number(done.rows), bytes: Number(done.bytes), sha256: done.sha256! };
    await this.writeManifest(job, keys, result, done.columns);
    if (r.dataset === 'users') await this.storage.removeMany('exports', [keys.profilesKey]);
    await ctx.progress(result.rows, result.rows);
    return result;
  }

  /** The dataset request to its owner: contacts, interactions, or for users both (the profiles first, then their summaries). */
  private async askOwners(job: ClaimedJob<ExportParams>, ctx: JobContext<ExportResult>, keys: ReturnType<typeof exportKeys>): Promise<void> {
    const p = job.params;
    const r = p.request;
    const format = { delimiter: r.delimiter, header: r.header, timeZone: r.timeZone, compression: r.compression };
    const context = p.context;
    if (r.dataset === 'contacts') {
      await this.owners.requestUntilAnswered(
        exportContactsDatasetV1,
        context,
        {
          exportId: job.id,
          key: keys.key,
          listId: r.filters?.listId,
          tag: r.filters?.tag,
          fields: r.fields,
          ...format,
        },
        ctx.signal,
      );
    } else if (r.dataset === 'users') {
      // Profiles from their owner first, then interactions adds each one's summary.
      await this.owners.requestUntilAnswered(
        exportContactsDatasetV1,
        context,
        {
          exportId: p.profilesRequestId!,
          key: keys.profilesKey,
          listId: r.filters?.listId,
          tag: r.filters?.tag,
          fields: [...USER_PROFILE_COLUMNS],
          delimiter: ',',
          header: true,
          compression: 'none',
        },
        ctx.signal,
      );
      await this.settled(p.profilesRequestId!, job, ctx);
      await this.owners.requestUntilAnswered(
        exportInteractionsDatasetV1,
        context,
        {
          exportId: job.id,
          dataset: 'users',
          key: keys.key,
          profilesKey: keys.profilesKey,
          programId: r.filters?.campaignId,
          fields: r.fields,
          ...format,
        },
        ctx.signal,
      );
    } else {
      await this.owners.requestUntilAnswered(
        exportInteractionsDatasetV1,
        context,
        {
          exportId: job.id,
          dataset: r.dataset,
          key: keys.key,
          from: r.from,
          to: r.to,
          programId: r.filters?.campaignId,
          fields: r.fields,
          ...format,
        },
        ctx.signal,
      );
    }
  }

  private async writeManifest(
    job: ClaimedJob<ExportParams>,
    keys: ReturnType<typeof exportKeys>,
    result: ExportResult,
    columns: string[] | null,
  ): Promise<void> {
    const r = job.params.request;
    const manifest = {
      exportId: job.id,
      dataset: r.dataset,
      key: keys.key,
      rows: result.rows,
      bytes: result.bytes,
      sha256: result.sha256,
      columns: columns ?? r.fields ?? null,
      timeZone: r.timeZone,
      delimiter: r.delimiter,
      header: r.header,
      compression: r.compression,
      from: r.from ?? null,
      to: r.to ?? null,
      filters: r.filters ?? {},
      requestedAt: new Date(job.requestedAt).toISOString(),
    };
    await this.storage.upload('exports', keys.manifestKey, Readable.from([JSON.stringify(manifest, null, 2)]), { contentType: 'application/json' });
  }

  /**
   * Waits for the owner's report of `requestId`, woken when it is recorded; a failure ends the
   * export with the owner's code. A cancel or time-out aborts the wait.
   */
  private async settled(requestId: string, job: ClaimedJob<ExportParams>, ctx: JobContext<ExportResult>): Promise<DatasetResult> {
    for (;;) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      // Waiting starts before the look: a report recorded in between still wakes it.
      const wait = this.reports.expect(requestId, ctx.signal);
      try {
        const [found] = (await this.ds.query('select ok, key, rows, bytes, sha256, columns, code, message from dataset_result where request_id = $1', [
          requestId,
        ])) as DatasetResult[];
        if (found) {
          if (!found.ok) throw new JobFailure(found.code ?? 'DATASET_FAILED', found.message ?? 'the data owner could not write the dataset');
          return found;
        }
        const status = await this.jobs.status(job.id);
        // Cancelled meanwhile (and this replica not told yet): nothing more to wait for.
        if (status !== 'running') throw new JobFailure('EXPORT_CANCELLED', `the export is ${status ?? 'gone'}`);
        await wait.woken;
      } finally {
        wait.cancel();
      }
    }
  }
}

/**
 * When an export ends, whatever way: its event and notification, its delivery, and no partial
 * file left behind (the files of one that did not succeed are queued for removal).
 */
async function exportEnded(em: EntityManager, job: FinishedJob<ExportParams, ExportResult>): Promise<void> {
  const p = job.params;
  const result = job.result;
  const payload = {
    exportId: job.id,
    dataset: p.request.dataset,
    status: job.status,
    ...(job.status === 'succeeded' && result ? { rows: result.rows, bytes: result.bytes, sha256: result.sha256, expiresAt: job.expiresAt ?? undefined } : {}),
    ...(job.error ? { code: job.error.code, message: job.error.message } : {}),
  };
  if (job.status !== 'succeeded') {
    const keys = exportKeys({ id: job.id, requestedAt: job.requestedAt, workspaceId: p.context.workspaceId }, p.request.compression);
    await queueFileRemoval(em, [keys.key, keys.manifestKey, keys.profilesKey]);
  }
  const ended =
    job.status === 'succeeded' ? exportCompletedV1 : job.status === 'discarded' ? exportDiscardedV1 : job.status === 'failed' ? exportFailedV1 : null;
  if (job.status === 'succeeded' && result && p.request.delivery.method !== 'download' && p.request.delivery.destinationId) {
    const stamp = new Date(job.requestedAt).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    await queueDelivery(em, {
      workspaceId: p.context.workspaceId,
      jobId: job.id,
      destinationId: p.request.delivery.destinationId,
      key: result.key,
      manifestKey: result.manifestKey,
      fileName: `${p.request.dataset}-${stamp}-${job.id}.${p.request.compression === 'gzip' ? 'csv.gz' : 'csv'}`,
    });
  }
  if (ended) await recordEvent(em, ended, p.context, payload);
  if (p.request.notificationUrl)
    await queueNotification(em, p.context.workspaceId, job.id, p.request.notificationUrl, { type: `export.${job.status}`, data: payload });
}
