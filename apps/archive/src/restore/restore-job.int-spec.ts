import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { loadConfig } from '@custodian/config';
import {
  archiveRestoreCompletedV1,
  archiveRestoreFailedV1,
  archiveRestoreStartedV1,
  DomainError,
  ErrorCode,
  restoreContactsV2,
  restoreOutcomesKey,
  systemContext,
  type CommandContext,
  type CommandSpec,
  type ContactSnapshot,
  type RestoreBatchReply,
  type RestoreContactsV2,
} from '@custodian/contracts';
import { JobRunner } from '@custodian/jobs';
import { CommandClient } from '@custodian/messaging';
import { keyBelongsTo } from '@custodian/storage';
import { jobEnded, mediumRunner, mediumStack, outboxEvents, stackEnv, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import { Readable } from 'node:stream';
import { ArchiveEnv } from '../config.js';
import { MIGRATIONS } from '../migrations.js';
import { RestoreJob, startRestoreJob, type ArchiveRestoreParams, type ArchiveRestoreResult } from './restore-job.js';
import { RestoreService } from './restore.service.js';

/** What contacts answers for one contact: restored (null), or the code of why not. */
type Outcome = null | typeof ErrorCode.EmailInUse | typeof ErrorCode.ContactMerged | typeof ErrorCode.ContactExists;

/**
 * Contacts' side of contacts.contact.restore-batch.v2, as the contract has it: reads the batch's
 * snapshots (one JSON per line) from the archive bucket and writes `contactId,code,message,skipped`
 * next to them. What each contact gets is the test's to say; a batch holding a contact of `failOn`
 * is answered with an error, as contacts answers a failed transaction.
 */
class FakeContacts extends CommandClient {
  readonly batches: ContactSnapshot[][] = [];
  readonly outcomes = new Map<string, Outcome>();
  readonly skipped = new Map<string, string>();
  readonly failOn = new Set<string>();

  constructor(private readonly stack: MediumStack) {
    super(undefined as never);
  }

  override async request<P extends object, R>(spec: CommandSpec<P, R>, context: CommandContext, data: NoInfer<P>): Promise<R> {
    if (spec.subject !== restoreContactsV2.subject) throw new DomainError(ErrorCode.ServiceUnavailable, `no responders for ${spec.subject}`);
    const { snapshotsKey } = data as RestoreContactsV2;
    if (!keyBelongsTo(snapshotsKey, context.workspaceId, 'archive'))
      throw new DomainError(ErrorCode.ValidationFailed, `snapshotsKey ${snapshotsKey} is not the workspace's`);
    const text = (await this.stack.storage.readSmall('archive', snapshotsKey)).toString('utf8');
    const snapshots = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ContactSnapshot);
    this.batches.push(snapshots);
    if (snapshots.some((s) => this.failOn.has(s.contactId))) throw new DomainError(ErrorCode.Internal, `internal error while handling ${spec.subject}`);
    const rows = snapshots
      .toSorted((a, b) => a.contactId.localeCompare(b.contactId))
      .map((s) => {
        const code = this.outcomes.get(s.contactId) ?? null;
        const message =
          code === ErrorCode.EmailInUse
            ? `another live contact already uses ${s.email}`
            : code === ErrorCode.ContactMerged
              ? `contact ${s.contactId} was merged into another contact and cannot be restored`
              : code === ErrorCode.ContactExists
                ? `contact ${s.contactId} is already in the live data`
                : '';
        return `${s.contactId},${code ?? ''},${message},${code ? '' : (this.skipped.get(s.contactId) ?? '')}`;
      });
    const outcomesKey = restoreOutcomesKey(snapshotsKey);
    await this.stack.storage.upload('archive', outcomesKey, Readable.from([['contactId,code,message,skipped', ...rows].join('\n') + '\n']));
    const reply: RestoreBatchReply = { outcomesKey, contacts: snapshots.length, restored: snapshots.filter((s) => !this.outcomes.get(s.contactId)).length };
    return reply as R;
  }
}

const snapshotOf = (contactId: string, email: string): ContactSnapshot => ({
  contactId,
  email,
  firstName: 'Ada',
  lastName: null,
  fields: { city: 'London' },
  createdAt: '2025-01-31T09:00:00.000Z',
  memberships: [],
  tags: [],
  accounts: [],
  deals: [],
});

describe('the archive restore job (medium: real database and S3, contacts faked)', () => {
  let stack: MediumStack;
  let env: ArchiveEnv;

  beforeAll(async () => {
    stack = await mediumStack('archive', MIGRATIONS, ['archive']);
    // Batches of two, two of them with contacts at once: five contacts make three batches.
    env = loadConfig(ArchiveEnv, { ...stackEnv(), ARCHIVE_RESTORE_BATCH: '2', ARCHIVE_RESTORE_PARALLEL: '2' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Archived contacts of a workspace, in contact id order (the order the job stages them in). */
  async function archive(ws: string, n: number): Promise<{ contact_id: string; email: string }[]> {
    const contacts = Array.from({ length: n }, () => randomUUID())
      .sort()
      .map((id, i) => ({ contact_id: id, email: `contact-${i}-${id.slice(0, 8)}@example.com` }));
    await stack.ds.query(
      `insert into archived_contact (contact_id, workspace_id, email, first_name, snapshot, list_ids, tag_names, archived_at, archived_by)
      select c.contact_id, $1, c.email, 'Ada', c.snapshot, '{}', '{}', now() - interval '40 days', 'user-1'
      from jsonb_to_recordset($2::jsonb) as c(contact_id uuid, email text, snapshot jsonb)`,
      [ws, JSON.stringify(contacts.map((c) => ({ ...c, snapshot: snapshotOf(c.contact_id, c.email) })))],
    );
    return contacts;
  }

  /** Queues a restore of the workspace's archived contacts as the service does, its items selected by SQL. */
  async function queueRestore(restores: RestoreJob, ws: string, contactIds: string[]) {
    const context: CommandContext = { workspaceId: ws, actor: { id: 'user-1', role: 'admin' }, origin: 'api', correlationId: randomUUID() };
    return stack.ds.transaction((em) =>
      startRestoreJob(
        em,
        stack.jobs,
        restores.definition,
        context,
        {
          sql: 'select contact_id, email from archived_contact where workspace_id = $1 and contact_id = any($2::uuid[])',
          params: [ws, contactIds],
          count: contactIds.length,
        },
        false,
      ),
    );
  }

  async function archiveObjects(ws: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const o of stack.storage.list('archive', `${ws}/`)) keys.push(o.key);
    return keys.sort();
  }

  async function run(restores: RestoreJob, ws: string, id: string) {
    const runner = mediumRunner(stack, [restores.definition]);
    runner.start();
    try {
      return await jobEnded<ArchiveRestoreParams, ArchiveRestoreResult>(stack, restores.definition, ws, id);
    } finally {
      await runner.stop();
    }
  }

  it('gives every contact its outcome, marks the restored ones, writes the outcomes file and the completed event', async () => {
    const ws = uniqueWorkspace('arch');
    const contacts = await archive(ws, 6);
    const [c0, c1, c2, c3, c4, c5] = contacts.map((c) => c.contact_id) as [string, string, string, string, string, string];
    const fake = new FakeContacts(stack);
    fake.outcomes.set(c1, ErrorCode.EmailInUse).set(c3, ErrorCode.ContactMerged).set(c4, ErrorCode.ContactExists);
    fake.skipped.set(c2, 'list:11111111-1111-4111-8111-111111111111');
    const restores = new RestoreJob(stack.ds, stack.storage, fake, stack.jobs, env);

    const job = await queueRestore(
      restores,
      ws,
      contacts.map((c) => c.contact_id),
    );
    const done = await run(restores, ws, job.id);

    expect(done.status).toBe('succeeded');
    // Restored: c0, c2, c5, and c4 that contacts reports as already live (restored by an attempt before a crash).
    expect(done.result).toMatchObject({ restored: 4, conflicts: 1, skipped: 1 });
    // Three batches of at most two, in contact id order, each carrying the archived snapshots.
    expect(fake.batches.map((b) => b.map((s) => s.contactId))).toEqual([
      [c0, c1],
      [c2, c3],
      [c4, c5],
    ]);
    expect(fake.batches[0]![0]).toEqual(snapshotOf(c0, contacts[0]!.email));

    const items = (await stack.ds.query('select contact_id, outcome, detail from restore_item where job_id = $1 order by contact_id', [job.id])) as {
      contact_id: string;
      outcome: string;
      detail: string | null;
    }[];
    expect(items).toEqual([
      { contact_id: c0, outcome: 'restored', detail: null },
      { contact_id: c1, outcome: 'conflict', detail: `another live contact already uses ${contacts[1]!.email}` },
      { contact_id: c2, outcome: 'restored', detail: 'list:11111111-1111-4111-8111-111111111111' },
      { contact_id: c3, outcome: 'skipped', detail: `contact ${c3} was merged into another contact and cannot be restored` },
      { contact_id: c4, outcome: 'restored', detail: 'already restored' },
      { contact_id: c5, outcome: 'restored', detail: null },
    ]);
    const archived = (await stack.ds.query(
      'select contact_id, restored_at is not null as restored, restore_job_id from archived_contact where workspace_id = $1 order by contact_id',
      [ws],
    )) as { contact_id: string; restored: boolean; restore_job_id: string | null }[];
    expect(archived).toEqual([
      { contact_id: c0, restored: true, restore_job_id: job.id },
      { contact_id: c1, restored: false, restore_job_id: null },
      { contact_id: c2, restored: true, restore_job_id: job.id },
      { contact_id: c3, restored: false, restore_job_id: null },
      { contact_id: c4, restored: true, restore_job_id: job.id },
      { contact_id: c5, restored: true, restore_job_id: job.id },
    ]);

    // The outcomes file lists every contact (by email); the batches' files are gone.
    const outcomesKey = done.result!.outcomesKey;
    expect(await archiveObjects(ws)).toEqual([outcomesKey]);
    const csv = parse((await stack.storage.readSmall('archive', outcomesKey)).toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(csv).toEqual(
      contacts.map((c) => ({
        contactId: c.contact_id,
        email: c.email,
        outcome: items.find((i) => i.contact_id === c.contact_id)!.outcome,
        detail: items.find((i) => i.contact_id === c.contact_id)!.detail ?? '',
      })),
    );

    const [started] = await outboxEvents(stack, archiveRestoreStartedV1, ws);
    expect(started?.data).toEqual({ jobId: job.id, contacts: 6, automatic: false });
    const completed = await outboxEvents(stack, archiveRestoreCompletedV1, ws);
    expect(completed.map((e) => e.data)).toEqual([{ jobId: job.id, restored: 4, conflicts: 1, skipped: 1 }]);
    expect(completed[0]!.correlationId).toBe(started!.correlationId);
    expect(await outboxEvents(stack, archiveRestoreFailedV1, ws)).toEqual([]);
  });

  it('ends failed when contacts fails a batch, with the failed event counting what was restored before', async () => {
    const ws = uniqueWorkspace('arch');
    // Two batches, both with contacts at once: the second (contacts 2 and 3) fails.
    const contacts = await archive(ws, 4);
    const ids = contacts.map((c) => c.contact_id);
    const fake = new FakeContacts(stack);
    fake.outcomes.set(ids[1]!, ErrorCode.EmailInUse);
    fake.failOn.add(ids[2]!);
    const restores = new RestoreJob(stack.ds, stack.storage, fake, stack.jobs, env);

    const job = await queueRestore(restores, ws, ids);
    const done = await run(restores, ws, job.id);

    expect(done.status).toBe('failed');
    expect(done.error).toEqual({ code: ErrorCode.Internal, message: `internal error while handling ${restoreContactsV2.subject}` });
    // Only the first batch's outcomes were recorded; nothing after the failure is.
    const items = (await stack.ds.query('select contact_id, outcome from restore_item where job_id = $1 order by contact_id', [job.id])) as {
      contact_id: string;
      outcome: string | null;
    }[];
    expect(fake.batches.map((b) => b.map((s) => s.contactId))).toEqual([
      [ids[0], ids[1]],
      [ids[2], ids[3]],
    ]);
    expect(items.map((i) => i.outcome)).toEqual(['restored', 'conflict', null, null]);
    const [{ n }] = (await stack.ds.query('select count(*)::int as n from archived_contact where workspace_id = $1 and restored_at is not null', [ws])) as [
      { n: number },
    ];
    expect(n).toBe(1);
    const failed = await outboxEvents(stack, archiveRestoreFailedV1, ws);
    expect(failed.map((e) => e.data)).toEqual([
      { jobId: job.id, code: ErrorCode.Internal, message: `internal error while handling ${restoreContactsV2.subject}`, restored: 1 },
    ]);
    expect(await outboxEvents(stack, archiveRestoreCompletedV1, ws)).toEqual([]);
    // What the attempt staged (and contacts wrote next to it) is removed with the failure.
    expect(await archiveObjects(ws)).toEqual([]);
  });

  it('records the outcomes of the batches contacts finished after another batch of the restore failed', async () => {
    const ws = uniqueWorkspace('arch');
    // Three batches, two with contacts at once: the third is sent when the first is done, while the second fails.
    const contacts = await archive(ws, 5);
    const ids = contacts.map((c) => c.contact_id);
    const fake = new FakeContacts(stack);
    fake.failOn.add(ids[2]!);
    const restores = new RestoreJob(stack.ds, stack.storage, fake, stack.jobs, env);

    const job = await queueRestore(restores, ws, ids);
    const done = await run(restores, ws, job.id);

    expect(done.status).toBe('failed');
    expect(fake.batches.map((b) => b.map((s) => s.contactId))).toEqual([[ids[0], ids[1]], [ids[2], ids[3]], [ids[4]]]);
    const items = (await stack.ds.query('select outcome from restore_item where job_id = $1 order by contact_id', [job.id])) as { outcome: string | null }[];
    expect(items.map((i) => i.outcome)).toEqual(['restored', 'restored', null, null, 'restored']);
    const restored = (await stack.ds.query('select contact_id from archived_contact where workspace_id = $1 and restored_at is not null order by contact_id', [
      ws,
    ])) as {
      contact_id: string;
    }[];
    expect(restored.map((r) => r.contact_id)).toEqual([ids[0], ids[1], ids[4]]);
    const failed = await outboxEvents(stack, archiveRestoreFailedV1, ws);
    expect(failed.map((e) => (e.data as { restored: number }).restored)).toEqual([3]);
    expect(await archiveObjects(ws)).toEqual([]);
  });

  it('starts the automatic restores that waited, in the transaction that ends the running one', async () => {
    const ws = uniqueWorkspace('arch');
    const [first, second, waiting1, waiting2, merged, restored] = (await archive(ws, 6)) as { contact_id: string; email: string }[];
    const fake = new FakeContacts(stack);
    const restores = new RestoreJob(stack.ds, stack.storage, fake, stack.jobs, env);
    // The service, as the forms handler uses it; its runner is never started (its poke wakes nothing).
    const service = new RestoreService(
      stack.ds,
      stack.jobs,
      new JobRunner(stack.ds, { instanceId: 'service', jobs: [restores.definition] }),
      restores,
      fake,
      stack.storage,
      env,
    );
    await stack.ds.query('insert into merged_contact (contact_id, workspace_id) values ($1, $2)', [merged!.contact_id, ws]);
    await stack.ds.query('update archived_contact set restored_at = now() where contact_id = $1', [restored!.contact_id]);

    const job = await queueRestore(restores, ws, [first!.contact_id, second!.contact_id]);
    // Forms submitted meanwhile: their restores wait for the one queued (one restore at a time per workspace).
    const form = systemContext(ws);
    expect(await service.restoreAutomatically(form, [waiting1!, waiting2!], randomUUID())).toBe('waiting');
    expect(await service.restoreAutomatically(form, [merged!, restored!], randomUUID())).toBe('waiting');
    const [{ waits }] = (await stack.ds.query('select count(*)::int as waits from waiting_restore where workspace_id = $1', [ws])) as [{ waits: number }];
    expect(waits).toBe(4);

    const runner = mediumRunner(stack, [restores.definition]);
    runner.start();
    try {
      const done = await jobEnded(stack, restores.definition, ws, job.id);
      expect(done.status).toBe('succeeded');
      // The next restore was queued by the first one's end: same transaction, so the same now().
      const [next] = (await stack.ds.query(
        `select n.id, n.params, n.requested_at = j.finished_at as same_transaction from job n, job j
        where n.workspace_id = $1 and n.id <> $2 and j.id = $2`,
        [ws, job.id],
      )) as { id: string; params: ArchiveRestoreParams; same_transaction: boolean }[];
      expect(next).toMatchObject({ same_transaction: true, params: { automatic: true, contacts: 2, context: { actor: { id: 'system' }, origin: 'restore' } } });
      // The merged contact and the one restored already are left out; nothing waits any more.
      const items = (await stack.ds.query('select contact_id from restore_item where job_id = $1 order by contact_id', [next!.id])) as { contact_id: string }[];
      expect(items.map((i) => i.contact_id)).toEqual([waiting1!.contact_id, waiting2!.contact_id]);
      expect(await stack.ds.query('select * from waiting_restore where workspace_id = $1', [ws])).toEqual([]);
      const started = await outboxEvents(stack, archiveRestoreStartedV1, ws);
      expect(started.map((e) => e.data)).toEqual([
        { jobId: job.id, contacts: 2, automatic: false },
        { jobId: next!.id, contacts: 2, automatic: true },
      ]);

      // And it runs: the contacts that waited come back.
      const after = await jobEnded<ArchiveRestoreParams, ArchiveRestoreResult>(stack, restores.definition, ws, next!.id);
      expect(after).toMatchObject({ status: 'succeeded', result: { restored: 2, conflicts: 0, skipped: 0 } });
      expect(fake.batches.map((b) => b.map((s) => s.contactId))).toEqual([
        [first!.contact_id, second!.contact_id],
        [waiting1!.contact_id, waiting2!.contact_id],
      ]);
    } finally {
      await runner.stop();
    }
  });
});
