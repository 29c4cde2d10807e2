import { randomUUID } from 'node:crypto';
import {
  contactsGetJobV1,
  startImportV1,
  type CommandContext,
  type CommandReply,
  type CommandRequest,
  type ErrorBody,
  type JobView,
} from '@custodian/contracts';
import { CommandClient } from '@custodian/messaging';
import { objectKey } from '@custodian/storage';
import { jobTransaction, mediumStack, putObject, recordedEvents, runJob, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import type { ClientProxy } from '@nestjs/microservices';
import { of } from 'rxjs';
import { BackupsEnv } from '../config.js';
import { MIGRATIONS } from '../migrations.js';
import { RestoreJob, type RestoreParams } from './restore-job.js';

const COMPLETED = 'events.backups.restore.completed.v1';
const FAILED = 'events.backups.restore.failed.v1';

type ImportOutcome = Pick<JobView, 'status' | 'progress' | 'result' | 'error'>;

/**
 * The contacts service as the restore job sees it over NATS: contacts.import.start.v1 answers an
 * import job (or a refusal), contacts.job.get.v1 answers that job as it goes, one view per poll
 * (the last one repeats). Every request goes through the real CommandClient, which validates it
 * against the contract before "sending".
 */
class FakeContacts {
  readonly importId = randomUUID();
  readonly requests: { subject: string; context: CommandContext; data: Record<string, unknown> }[] = [];
  readonly client: CommandClient;

  constructor(
    private readonly importGoes: ImportOutcome[],
    private readonly startRefused?: ErrorBody,
    /** The nth contacts.job.get.v1 (from 1) is answered as a lost reply (SERVICE_UNAVAILABLE). */
    private readonly lost: { loseAnswer?: number } = {},
  ) {
    const proxy = { send: (subject: string, request: CommandRequest<Record<string, unknown>>) => of(this.answer(subject, request)) };
    this.client = new CommandClient(proxy as unknown as ClientProxy, 1000);
  }

  sent(subject: string) {
    return this.requests.filter((r) => r.subject === subject);
  }

  private answer(subject: string, request: CommandRequest<Record<string, unknown>>): CommandReply<JobView> {
    this.requests.push({ subject, ...request });
    const view = (outcome: ImportOutcome): JobView => ({
      id: this.importId,
      kind: 'import',
      requestedBy: request.context.actor.id,
      requestedAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      expiresAt: null,
      ...outcome,
    });
    if (subject === startImportV1.subject) {
      if (this.startRefused) return { ok: false, error: this.startRefused };
      return { ok: true, data: view({ status: 'queued', progress: { done: 0, total: null }, result: null, error: null }) };
    }
    if (subject === contactsGetJobV1.subject && request.data.id === this.importId) {
      const asked = this.sent(contactsGetJobV1.subject).length;
      if (asked === this.lost.loseAnswer) return { ok: false, error: { code: 'SERVICE_UNAVAILABLE', message: `no answer to ${subject}: timed out` } };
      const polls = asked - (this.lost.loseAnswer && asked > this.lost.loseAnswer ? 1 : 0);
      return { ok: true, data: view(this.importGoes[Math.min(polls, this.importGoes.length) - 1]!) };
    }
    return { ok: false, error: { code: 'NOT_FOUND', message: `${subject}: nothing here for ${JSON.stringify(request.data)}` } };
  }
}

const running = (done: number, total: number): ImportOutcome => ({ status: 'running', progress: { done, total }, result: null, error: null });
const imported = (total: number, counts: Record<string, number>): ImportOutcome => ({
  status: 'succeeded',
  progress: { done: total, total },
  result: counts,
  error: null,
});

describe('the restore job, on the real database and S3 server, with contacts answering as scripted', () => {
  let stack: MediumStack;

  beforeAll(async () => {
    stack = await mediumStack('backups', MIGRATIONS, ['backups']);
  });
  afterAll(async () => {
    await stack.close();
  });

  const FILE =
    'email,firstName,lastName,status,createdAt\nann@example.com,Ann,,subscribed,2026-06-01T10:00:00.000Z\nben@example.com,,,unsubscribed,2026-06-01T10:00:00.000Z\n' +
    'cid@example.com,Cid,,bounced,2026-06-01T10:00:00.000Z\n';

  /** A backup in the catalog, its file in the backups bucket as the catalog describes it. */
  async function backup(ws: string): Promise<{ id: string; listId: string; key: string }> {
    const id = randomUUID();
    const listId = randomUUID();
    const key = objectKey(ws, 'backups', id, 'csv');
    const stored = await putObject(stack, 'backups', key, FILE);
    await stack.ds.query(
      `insert into backup (id, workspace_id, list_id, list_name, reason, requested_by, cause_origin, bucket, object_key, rows, bytes, sha256, expires_at)
      values ($1, $2, $3, 'Newsletter', 'import', 'importer', 'app', $4, $5, 3, $6, $7, now() + interval '30 days')`,
      [id, ws, listId, stack.storage.bucket('backups'), key, stored.bytes, stored.sha256],
    );
    return { id, listId, key };
  }

  function restore(contacts: FakeContacts, ws: string, params: Omit<RestoreParams, 'context' | 'listRecreated'> & { listRecreated?: boolean }) {
    const context: CommandContext = { workspaceId: ws, actor: { id: 'restorer' }, origin: 'app', correlationId: randomUUID() };
    const job = new RestoreJob(stack.ds, stack.storage, contacts.client, new BackupsEnv());
    return runJob(stack, job.definition, { workspaceId: ws, correlationId: context.correlationId, params: { listRecreated: false, ...params, context } });
  }

  it('has contacts import a good backup into its list (upsert, its statuses, opt-outs protected, the list backed up first) and records the completed event', async () => {
    const ws = uniqueWorkspace('rst');
    const b = await backup(ws);
    const contacts = new FakeContacts([running(1, 3), imported(3, { created: 1, updated: 2, unchanged: 0, statusChanged: 1, failed: 0, skipped: 0 })]);
    const job = await restore(contacts, ws, { backupId: b.id, listId: b.listId, dryRun: false });

    expect(job.status).toBe('succeeded');
    expect(job.result).toEqual({
      dryRun: false,
      listId: b.listId,
      listRecreated: false,
      importJobId: contacts.importId,
      created: 1,
      updated: 2,
      unchanged: 0,
      statusChanged: 1,
      failed: 0,
    });
    expect(job.progress).toEqual({ done: 3, total: 3 });
    expect(contacts.requests.map((r) => r.subject)).toEqual([startImportV1.subject, contactsGetJobV1.subject, contactsGetJobV1.subject]);
    const [start] = contacts.sent(startImportV1.subject);
    expect(start!.context).toEqual(job.params.context);
    expect(start!.data).toEqual({
      listId: b.listId,
      mode: 'upsert',
      objectKey: b.key,
      source: 'backups',
      protectOptOuts: true,
      snapshotFirst: true,
      dryRun: false,
      idempotencyKey: `restore-${job.id}`,
    });
    expect(contacts.sent(contactsGetJobV1.subject).map((r) => r.data)).toEqual([{ id: contacts.importId }, { id: contacts.importId }]);

    const events = await recordedEvents(stack, { workspaceId: ws });
    expect(events.map((e) => [e.subject, e.envelope.data])).toEqual([
      [COMPLETED, { jobId: job.id, backupId: b.id, listId: b.listId, created: 1, updated: 2, unchanged: 0 }],
    ]);
    expect(events[0]!.envelope).toMatchObject({ origin: 'app', actor: { id: 'restorer' }, correlationId: job.params.context.correlationId });
    expect(events[0]!.transaction).toBe(await jobTransaction(stack, job.id));
  });

  it('a dry run asks contacts for a dry-run import, and one for a list that is gone counts every member without asking; neither records an event', async () => {
    const ws = uniqueWorkspace('rst');
    const b = await backup(ws);
    const contacts = new FakeContacts([imported(3, { created: 0, updated: 1, unchanged: 2, statusChanged: 0, failed: 0, skipped: 0 })]);
    const dry = await restore(contacts, ws, { backupId: b.id, listId: b.listId, dryRun: true });
    expect(dry.result).toMatchObject({ dryRun: true, listId: b.listId, created: 0, updated: 1, unchanged: 2 });
    expect(contacts.sent(startImportV1.subject).map((r) => r.data.dryRun)).toEqual([true]);

    const gone = new FakeContacts([]);
    const listGone = await restore(gone, ws, { backupId: b.id, listId: null, listRecreated: true, dryRun: true });
    expect(listGone.result).toEqual({ dryRun: true, listId: null, listRecreated: true, created: 3, updated: 0, unchanged: 0, statusChanged: 0, failed: 0 });
    expect(gone.requests).toEqual([]);
    expect(await recordedEvents(stack, { workspaceId: ws })).toEqual([]);
  });

  it.each([
    [
      'is missing',
      async (key: string) => {
        await stack.storage.remove('backups', key);
      },
      /is missing from storage/,
    ],
    [
      'was altered (same size)',
      async (key: string) => {
        await putObject(stack, 'backups', key, FILE.replace('bounced', 'Bounced'));
      },
      /is corrupt: .*does not match/,
    ],
    [
      'was cut short',
      async (key: string) => {
        await putObject(stack, 'backups', key, FILE.slice(0, -10));
      },
      /is corrupt: .*does not match/,
    ],
  ])('a backup whose file %s ends failed with BACKUP_CORRUPT before contacts is asked anything', async (_what, spoil, message) => {
    const ws = uniqueWorkspace('rst');
    const b = await backup(ws);
    await spoil(b.key);
    const contacts = new FakeContacts([imported(3, { created: 3, updated: 0, unchanged: 0, statusChanged: 0, failed: 0, skipped: 0 })]);
    const job = await restore(contacts, ws, { backupId: b.id, listId: b.listId, dryRun: false });

    expect(job.status).toBe('failed');
    expect(job.error).toEqual({ code: 'BACKUP_CORRUPT', message: expect.stringMatching(message) });
    expect(job.error!.message).toContain(b.id);
    expect(contacts.requests).toEqual([]);
    const events = await recordedEvents(stack, { workspaceId: ws });
    expect(events.map((e) => [e.subject, e.envelope.data])).toEqual([
      [FAILED, { jobId: job.id, backupId: b.id, code: 'BACKUP_CORRUPT', message: job.error!.message }],
    ]);
    expect(events[0]!.transaction).toBe(await jobTransaction(stack, job.id));
  });

  it.each([
    [
      'fails',
      [
        running(1, 3),
        {
          status: 'failed',
          progress: { done: 1, total: 3 },
          result: null,
          error: { code: 'CSV_BAD_HEADER', message: 'row 1: the header names "email" twice' },
        },
      ],
      'CSV_BAD_HEADER',
      'ended failed: row 1: the header names "email" twice',
    ],
    [
      'is discarded (timed out)',
      [
        {
          status: 'discarded',
          progress: { done: 2, total: 3 },
          result: null,
          error: { code: 'JOB_TIMED_OUT', message: 'the job ran longer than its time limit' },
        },
      ],
      'JOB_TIMED_OUT',
      'ended discarded',
    ],
    ['is cancelled', [{ status: 'cancelled', progress: { done: 0, total: null }, result: null, error: null }], 'IMPORT_FAILED', 'ended cancelled'],
  ] as [string, ImportOutcome[], string, string][])(
    'an import that %s on the contacts side ends the restore failed with its code',
    async (_what, goes, code, message) => {
      const ws = uniqueWorkspace('rst');
      const b = await backup(ws);
      const contacts = new FakeContacts(goes);
      const job = await restore(contacts, ws, { backupId: b.id, listId: b.listId, dryRun: false });

      expect(job.status).toBe('failed');
      expect(job.error).toEqual({ code, message: expect.stringContaining(`the import of the backup ${message}`) });
      expect(contacts.sent(startImportV1.subject)).toHaveLength(1);
      const events = await recordedEvents(stack, { workspaceId: ws });
      expect(events.map((e) => [e.subject, e.envelope.data])).toEqual([[FAILED, { jobId: job.id, backupId: b.id, code, message: job.error!.message }]]);
    },
  );

  it("an import contacts refuses to start ends the restore failed with the refusal's code", async () => {
    const ws = uniqueWorkspace('rst');
    const b = await backup(ws);
    const contacts = new FakeContacts([], { code: 'NOT_FOUND', message: `list ${b.listId} not found` });
    const job = await restore(contacts, ws, { backupId: b.id, listId: b.listId, dryRun: false });
    expect(job.error).toEqual({ code: 'NOT_FOUND', message: `list ${b.listId} not found` });
    expect(contacts.requests.map((r) => r.subject)).toEqual([startImportV1.subject]);
    expect((await recordedEvents(stack, { workspaceId: ws, subject: FAILED })).map((e) => e.envelope.data.code)).toEqual(['NOT_FOUND']);
  });

  it('keeps following the import through a lost answer to contacts.job.get.v1, and succeeds with its counts', async () => {
    const ws = uniqueWorkspace('rs');
    const b = await backup(ws);
    const counts = { created: 1, updated: 2, unchanged: 0, statusChanged: 0, failed: 0 };
    const contacts = new FakeContacts([running(1, 3), imported(3, counts)], undefined, { loseAnswer: 1 });
    const job = await restore(contacts, ws, { backupId: b.id, listId: b.listId, dryRun: false });
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject(counts);
    expect(contacts.sent(contactsGetJobV1.subject).length).toBeGreaterThanOrEqual(3);
    expect((await recordedEvents(stack, { workspaceId: ws, subject: COMPLETED })).map((e) => e.envelope.data.created)).toEqual([1]);
  });
});
