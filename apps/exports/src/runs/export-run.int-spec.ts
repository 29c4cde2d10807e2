import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { loadConfig } from '@custodian/config';
import {
  createEnvelope,
  DomainError,
  ErrorCode,
  exportCompletedV1,
  exportContactsDatasetV1,
  exportDiscardedV1,
  exportFailedV1,
  type CommandContext,
  type CommandSpec,
  type ExportContactsDatasetV1,
  type JobView,
} from '@custodian/contracts';
import { JobStore, type JobRunner } from '@custodian/jobs';
import { CommandClient } from '@custodian/messaging';
import { createLogger } from '@custodian/observability';
import type { StoredObject } from '@custodian/storage';
import { handleCommand, jobEnded, mediumRunner, mediumStack, outboxEvents, stackEnv, uniqueWorkspace, waitFor, type MediumStack } from '@custodian/testing';
import type { DataSource } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { MIGRATIONS } from '../migrations.js';
import { ExportHandlers } from '../requests/exports.handlers.js';
import { ExportsService } from '../requests/exports.service.js';
import { DatasetResults } from './dataset-results.js';
import { DatasetResultWaits } from './dataset-result-waits.js';
import { ExportRun, exportKeys, type ExportParams, type ExportResult } from './export-run.js';

/** A dataset request as the owner received it, with the file it wrote for it. */
interface Asked {
  context: CommandContext;
  data: ExportContactsDatasetV1;
  jobId: string;
  file: StoredObject;
  body: string;
}

/**
 * The contacts service as the data owner of the contacts dataset: accepts the request with a job of
 * its own and writes the file into the exports bucket under the key it was given. What it reports
 * about the file (the event) is for the test to record.
 */
class FakeOwners extends CommandClient {
  readonly asked: Asked[] = [];

  constructor(private readonly stack: MediumStack) {
    super(undefined as never);
  }

  override async request<P extends object, R>(spec: CommandSpec<P, R>, context: CommandContext, data: NoInfer<P>): Promise<R> {
    if (spec.subject !== exportContactsDatasetV1.subject) throw new DomainError(ErrorCode.ServiceUnavailable, `no responders for ${spec.subject}`);
    const request = data as ExportContactsDatasetV1;
    const body = ['id,email', ...Array.from({ length: 3 }, (_, i) => `${randomUUID()},contact-${i}@example.com`)].join('\n') + '\n';
    const file = await this.stack.storage.upload('exports', request.key, Readable.from([body]));
    const now = new Date().toISOString();
    const job: JobView = {
      id: randomUUID(),
      kind: 'dataset-export',
      status: 'queued',
      progress: { done: 0, total: null },
      requestedBy: context.actor.id,
      requestedAt: now,
      startedAt: null,
      finishedAt: null,
      expiresAt: null,
      result: null,
      error: null,
    };
    this.asked.push({ context, data: request, jobId: job.id, file, body });
    return job as R;
  }
}

/** The app's waits, watched: which request each export waited for, whether it got as far as waiting, and how the wait ended. */
class WatchedWaits extends DatasetResultWaits {
  readonly waits: { requestId: string; waiting: boolean; ended?: 'notified' | 'looked-again' | 'aborted'; reason?: unknown }[] = [];

  constructor(ds: DataSource) {
    super(ds, createLogger('exports', 'warn'));
  }

  override expect(requestId: string, signal: AbortSignal) {
    const wait = super.expect(requestId, signal);
    const seen: WatchedWaits['waits'][number] = { requestId, waiting: false };
    this.waits.push(seen);
    wait.woken.then(
      (how) => {
        seen.ended = how;
      },
      (reason: unknown) => {
        seen.ended = 'aborted';
        seen.reason = reason;
      },
    );
    return {
      get woken() {
        seen.waiting = true;
        return wait.woken;
      },
      cancel: () => wait.cancel(),
    };
  }
}

describe('the export run (medium: real database and S3, the data owner faked)', () => {
  let stack: MediumStack;
  let env: ExportsEnv;
  let owners: FakeOwners;
  let waits: WatchedWaits;
  let run: ExportRun;
  let results: DatasetResults;
  let runner: JobRunner;
  let handlers: ExportHandlers;

  beforeAll(async () => {
    stack = await mediumStack('exports', MIGRATIONS, ['exports']);
    env = loadConfig(ExportsEnv, stackEnv());
    owners = new FakeOwners(stack);
    waits = new WatchedWaits(stack.ds);
    await waits.onApplicationBootstrap();
    const jobs = new JobStore(stack.ds);
    run = new ExportRun(stack.ds, stack.storage, owners, jobs, waits, env);
    results = new DatasetResults(jobs, run);
    runner = mediumRunner(stack, [run.definition]);
    handlers = new ExportHandlers(new ExportsService(stack.ds, jobs, runner, run, stack.storage, env));
    runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await waits?.onApplicationShutdown();
    await stack?.close();
  });

  const user = (ws: string): CommandContext => ({
    workspaceId: ws,
    actor: { id: 'user-1', role: 'admin' },
    origin: 'api',
    correlationId: randomUUID(),
    plan: 'pro',
  });

  /** Requests a contacts export through the app's handlers and answers it once its owner was asked and the export waits for the report. */
  async function requestedAndWaiting(ws: string) {
    const context = user(ws);
    const view = await handleCommand(handlers, 'request', context, { dataset: 'contacts', fields: ['id', 'email'] });
    const asked = await waitFor(() => owners.asked.find((a) => a.data.exportId === view.id), { what: `the owner to be asked for export ${view.id}` });
    await waitFor(() => waits.waits.some((w) => w.requestId === view.id && w.waiting && !w.ended), { what: `export ${view.id} to wait for its report` });
    return { view, asked, context };
  }

  /** Records the owner's report as the exports service does when its event arrives (the handler, in a transaction). */
  function reportWritten(asked: Asked, over: { bytes?: number } = {}) {
    const envelope = createEnvelope(
      'events.contacts.dataset.exported.v1',
      { ...asked.context, actor: { id: 'system' }, origin: 'system' },
      {
        exportId: asked.data.exportId,
        jobId: asked.jobId,
        bucket: stack.storage.bucket('exports'),
        key: asked.data.key,
        rows: 3,
        bytes: over.bytes ?? asked.file.bytes,
        sha256: asked.file.sha256,
        columns: ['id', 'email'],
      },
    );
    return stack.ds.transaction((em) => results.contactsExported(envelope, em));
  }

  const queuedRemovals = async (keys: string[]) =>
    ((await stack.ds.query('select key from file_removal where key = any($1) order by key', [keys])) as { key: string }[]).map((r) => r.key);

  it("is woken by the owner's report, checks the file, writes the manifest and succeeds with its rows, bytes and sha256", async () => {
    const ws = uniqueWorkspace('exp');
    const { view, asked, context } = await requestedAndWaiting(ws);
    const keys = exportKeys({ id: view.id, requestedAt: view.requestedAt, workspaceId: ws }, 'none');
    expect(asked.data).toMatchObject({
      exportId: view.id,
      key: keys.key,
      fields: ['id', 'email'],
      delimiter: ',',
      header: true,
      compression: 'none',
      timeZone: env.EXPORTS_DEFAULT_TIME_ZONE,
    });
    expect(asked.context).toMatchObject({ workspaceId: ws, correlationId: context.correlationId });

    await reportWritten(asked);
    const done = await jobEnded<ExportParams, ExportResult>(stack, run.definition, ws, view.id);

    expect(done.status).toBe('succeeded');
    // Woken by the report's notification, not by the fallback look a few seconds later.
    expect(waits.waits.filter((w) => w.requestId === view.id).map((w) => w.ended)).toEqual(['notified', 'looked-again']);
    expect(done.result).toEqual({ key: keys.key, manifestKey: keys.manifestKey, rows: 3, bytes: asked.file.bytes, sha256: asked.file.sha256 });
    expect(done.progress).toEqual({ done: 3, total: 3 });
    const manifest = JSON.parse((await stack.storage.readSmall('exports', keys.manifestKey)).toString('utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      exportId: view.id,
      dataset: 'contacts',
      key: keys.key,
      rows: 3,
      bytes: asked.file.bytes,
      sha256: asked.file.sha256,
      columns: ['id', 'email'],
      delimiter: ',',
      header: true,
      compression: 'none',
      requestedAt: view.requestedAt,
    });
    expect((await stack.storage.readSmall('exports', keys.key)).toString('utf8')).toBe(asked.body);
    const completed = await outboxEvents(stack, exportCompletedV1, ws);
    expect(completed.map((e) => e.data)).toEqual([
      {
        exportId: view.id,
        dataset: 'contacts',
        status: 'succeeded',
        rows: 3,
        bytes: asked.file.bytes,
        sha256: asked.file.sha256,
        expiresAt: done.expiresAt,
      },
    ]);
    expect(done.expiresAt).not.toBeNull();
    expect(await queuedRemovals([keys.key, keys.manifestKey])).toEqual([]);
  });

  it("ends failed with the owner's code when the owner reports a failure, its file queued for removal", async () => {
    const ws = uniqueWorkspace('exp');
    const { view, asked } = await requestedAndWaiting(ws);
    const envelope = createEnvelope(
      'events.contacts.dataset.failed.v1',
      { ...asked.context, actor: { id: 'system' }, origin: 'system' },
      {
        exportId: view.id,
        jobId: asked.jobId,
        code: 'DATASET_UNKNOWN_FIELD',
        message: 'unknown field "phone"',
      },
    );
    await stack.ds.transaction((em) => results.contactsFailed(envelope, em));

    const done = await jobEnded(stack, run.definition, ws, view.id);

    expect(done.status).toBe('failed');
    expect(done.error).toEqual({ code: 'DATASET_UNKNOWN_FIELD', message: 'unknown field "phone"' });
    const keys = exportKeys({ id: view.id, requestedAt: view.requestedAt, workspaceId: ws }, 'none');
    expect(await stack.storage.stat('exports', keys.manifestKey)).toBeNull();
    expect(await queuedRemovals([keys.key, keys.manifestKey, keys.profilesKey])).toEqual([keys.key, keys.manifestKey, keys.profilesKey].sort());
    const failed = await outboxEvents(stack, exportFailedV1, ws);
    expect(failed.map((e) => e.data)).toEqual([
      { exportId: view.id, dataset: 'contacts', status: 'failed', code: 'DATASET_UNKNOWN_FIELD', message: 'unknown field "phone"' },
    ]);
    expect(await outboxEvents(stack, exportCompletedV1, ws)).toEqual([]);
  });

  it('ends EXPORT_INCOMPLETE when the file in storage has not the bytes the owner reported', async () => {
    const ws = uniqueWorkspace('exp');
    const { view, asked } = await requestedAndWaiting(ws);
    await reportWritten(asked, { bytes: asked.file.bytes + 10 });

    const done = await jobEnded(stack, run.definition, ws, view.id);

    expect(done.status).toBe('failed');
    expect(done.error).toEqual({
      code: 'EXPORT_INCOMPLETE',
      message: `the file has ${asked.file.bytes} bytes in storage; its owner wrote ${asked.file.bytes + 10}`,
    });
    const keys = exportKeys({ id: view.id, requestedAt: view.requestedAt, workspaceId: ws }, 'none');
    expect(await stack.storage.stat('exports', keys.manifestKey)).toBeNull();
    expect(await queuedRemovals([keys.key])).toEqual([keys.key]);
    const failed = await outboxEvents(stack, exportFailedV1, ws);
    expect(failed.map((e) => e.data)).toMatchObject([{ exportId: view.id, status: 'failed', code: 'EXPORT_INCOMPLETE' }]);
    expect(await outboxEvents(stack, exportCompletedV1, ws)).toEqual([]);
  });

  it('cancelled while it runs, ends cancelled, stops waiting, and queues its files for removal', async () => {
    const ws = uniqueWorkspace('exp');
    const { view, asked } = await requestedAndWaiting(ws);

    const cancelled = await handleCommand(handlers, 'cancel', user(ws), { id: view.id });

    expect(cancelled).toMatchObject({ id: view.id, status: 'cancelled', error: { code: 'EXPORT_CANCELLED', message: 'cancelled by user-1' } });
    const done = await jobEnded(stack, run.definition, ws, view.id);
    expect(done.status).toBe('cancelled');
    const keys = exportKeys({ id: view.id, requestedAt: view.requestedAt, workspaceId: ws }, 'none');
    expect(await queuedRemovals([keys.key, keys.manifestKey, keys.profilesKey])).toEqual([keys.key, keys.manifestKey, keys.profilesKey].sort());
    // The runner running it loses its lease at its next heartbeat and the export stops waiting for its report.
    const wait = await waitFor(() => waits.waits.find((w) => w.requestId === view.id && w.ended === 'aborted'), { what: `export ${view.id} to stop waiting` });
    expect(String(wait.reason)).toContain('no longer held');
    // A cancel records no event of its own; the others are not recorded either.
    for (const spec of [exportCompletedV1, exportFailedV1, exportDiscardedV1]) expect(await outboxEvents(stack, spec, ws)).toEqual([]);
    // The files removed meanwhile, the owner's report that comes late leaves the export cancelled and queues its file for removal again.
    await stack.ds.query('delete from file_removal where key = any($1)', [[keys.key, keys.manifestKey, keys.profilesKey]]);
    await reportWritten(asked);
    expect((await jobEnded(stack, run.definition, ws, view.id)).status).toBe('cancelled');
    expect(await queuedRemovals([asked.data.key])).toEqual([asked.data.key]);
  });
});
