import { createHash, randomUUID } from 'node:crypto';
import type { CommandContext, Origin } from '@custodian/contracts';
import { createLogger } from '@custodian/observability';
import { objectKey } from '@custodian/storage';
import { jobTransaction, mediumStack, objectKeys, putObject, recordedEvents, runJob, uniqueWorkspace, waitFor, type MediumStack } from '@custodian/testing';
import { BackupPolicy } from '../backup-policy/backup-policy.js';
import { ContactsEnv } from '../config.js';
import { FieldDefinitions } from '../fields/field-definitions.js';
import { MIGRATIONS } from '../database/migrations.js';
import { ListSnapshots } from '../snapshots/list-snapshot.js';
import { ImportFilesSweeper } from './import-files-sweeper.js';
import { ImportJob, type ImportParams } from './import-job.js';

const COMPLETED = 'events.contacts.import.completed.v1';
const FAILED = 'events.contacts.import.failed.v1';
const SNAPSHOT = 'events.contacts.list-snapshot.created.v1';

describe('the import job, on the real database and S3 server', () => {
  let stack: MediumStack;
  let imports: ImportJob;

  beforeAll(async () => {
    stack = await mediumStack('contacts', MIGRATIONS, ['imports', 'backups']);
    const snapshots = new ListSnapshots(stack.ds, stack.storage, new BackupPolicy(createLogger('contacts', 'silent')));
    const env = new ContactsEnv();
    imports = new ImportJob(stack.ds, stack.storage, snapshots, env, new FieldDefinitions(env));
  });
  afterAll(async () => {
    await stack.close();
  });

  const context = (workspaceId: string, origin: Origin = 'api'): CommandContext => ({
    workspaceId,
    actor: { id: 'importer' },
    origin,
    correlationId: randomUUID(),
  });

  async function newList(ws: string, name = 'Newsletter'): Promise<string> {
    const [list] = (await stack.ds.query('insert into list (workspace_id, name) values ($1, $2) returning id', [ws, name])) as { id: string }[];
    return list!.id;
  }

  /** A contact, and its membership of the list when a status is given. */
  async function seedContact(
    ws: string,
    email: string,
    c: { firstName?: string; fields?: Record<string, string>; listId?: string; status?: string } = {},
  ): Promise<string> {
    const [row] = (await stack.ds.query('insert into contact (workspace_id, email, first_name, fields) values ($1, $2, $3, $4) returning id', [
      ws,
      email,
      c.firstName ?? null,
      c.fields ?? {},
    ])) as { id: string }[];
    for (const name of Object.keys(c.fields ?? {})) await stack.ds.query('insert into custom_field values ($1, $2) on conflict do nothing', [ws, name]);
    if (c.listId)
      await stack.ds.query('insert into membership (workspace_id, list_id, contact_id, status) values ($1, $2, $3, $4)', [
        ws,
        c.listId,
        row!.id,
        c.status ?? 'subscribed',
      ]);
    return row!.id;
  }

  async function members(listId: string): Promise<Record<string, string>> {
    const rows = (await stack.ds.query('select c.email, m.status from membership m join contact c on c.id = m.contact_id where m.list_id = $1', [listId])) as {
      email: string;
      status: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.email, r.status]));
  }

  async function contact(ws: string, email: string): Promise<{ first_name: string | null; fields: Record<string, string> } | undefined> {
    const [row] = (await stack.ds.query('select first_name, fields from contact where workspace_id = $1 and lower(email) = lower($2)', [ws, email])) as {
      first_name: string | null;
      fields: Record<string, string>;
    }[];
    return row;
  }

  /** Everything an import may write for a workspace. */
  const state = (ws: string) =>
    stack.ds.query(
      `select
      (select coalesce(jsonb_agg(to_jsonb(c) order by c.email), '[]') from contact c where c.workspace_id = $1) as contacts,
      (select coalesce(jsonb_agg(to_jsonb(m) order by m.list_id, m.contact_id), '[]') from membership m where m.workspace_id = $1) as memberships,
      (select coalesce(jsonb_agg(f.name order by f.name), '[]') from custom_field f where f.workspace_id = $1) as fields`,
      [ws],
    );

  async function upload(ws: string, csv: string): Promise<string> {
    const key = objectKey(ws, 'imports', randomUUID(), 'csv');
    await putObject(stack, 'imports', key, csv);
    return key;
  }

  type Options = Partial<Omit<ImportParams, 'context' | 'listId'>> & { origin?: Origin };

  async function runImport(ws: string, listId: string, csv: string | null, options: Options = {}) {
    const { origin, ...rest } = options;
    const ctx = context(ws, origin);
    const params: ImportParams = {
      listId,
      mode: 'upsert',
      objectKey: csv === null ? objectKey(ws, 'imports', randomUUID(), 'csv') : await upload(ws, csv),
      dryRun: false,
      ...rest,
      context: ctx,
    };
    const job = await runJob(stack, imports.definition, { workspaceId: ws, correlationId: ctx.correlationId, params });
    return { job, result: job.result!, ctx };
  }

  const rejectedRows = async (key: string) => (await stack.storage.readSmall('imports', key)).toString('utf8').trim().split(/\r?\n/);
  const backupFiles = (ws: string) => objectKeys(stack, 'backups', `${ws}/backups/`);

  it("upserts: creates new contacts, changes existing ones and counts each; the completed event carries the counts, in the job's transaction", async () => {
    const ws = uniqueWorkspace('imp');
    const listId = await newList(ws);
    await seedContact(ws, 'known@example.com', { firstName: 'Old', listId });
    await seedContact(ws, 'same@example.com', { firstName: 'Same', listId });
    const { job, result, ctx } = await runImport(
      ws,
      listId,
      'email,firstName,city\nknown@example.com,New,Rome\nfresh@example.com,Fresh,Oslo\nsame@example.com,Same,\n',
    );

    expect(job.status).toBe('succeeded');
    expect(result).toEqual({
      listId,
      mode: 'upsert',
      dryRun: false,
      encoding: 'utf-8',
      delimiter: ',',
      statusColumn: false,
      rows: 3,
      created: 1,
      updated: 1,
      unchanged: 1,
      skipped: 0,
      failed: 0,
      statusChanged: 0,
      rejectsKey: null,
      repaired: 0,
      repairsKey: null,
      snapshotId: null,
    });
    expect(job.progress).toEqual({ done: 3, total: 3 });
    expect(await members(listId)).toEqual({ 'known@example.com': 'subscribed', 'same@example.com': 'subscribed', 'fresh@example.com': 'subscribed' });
    expect(await contact(ws, 'known@example.com')).toEqual({ first_name: 'New', fields: { city: 'Rome' } });
    expect(await contact(ws, 'fresh@example.com')).toEqual({ first_name: 'Fresh', fields: { city: 'Oslo' } });
    expect(await stack.ds.query('select name from custom_field where workspace_id = $1', [ws])).toEqual([{ name: 'city' }]);

    const events = await recordedEvents(stack, { workspaceId: ws });
    expect(events.map((e) => e.subject)).toEqual([COMPLETED]);
    expect(events[0]!.envelope).toMatchObject({
      origin: 'api',
      actor: { id: 'importer' },
      correlationId: ctx.correlationId,
      data: { jobId: job.id, listId, mode: 'upsert', dryRun: false, rows: 3, created: 1, updated: 1, unchanged: 1, skipped: 0, failed: 0 },
    });
    expect(events[0]!.envelope.data).not.toHaveProperty('rejectsKey');
    expect(events[0]!.transaction).toBe(await jobTransaction(stack, job.id));
  });

  it('add only adds new contacts and update only changes existing ones; the rows each leaves alone are skipped, with the reason', async () => {
    const ws = uniqueWorkspace('imp');
    const listId = await newList(ws);
    await seedContact(ws, 'existing@example.com', { firstName: 'Before' });

    const added = await runImport(ws, listId, 'email,firstName\nexisting@example.com,After\nbrand-new@example.com,New\n', { mode: 'add' });
    expect(added.result).toMatchObject({ rows: 2, created: 1, updated: 0, unchanged: 0, skipped: 1, failed: 0 });
    expect((await contact(ws, 'existing@example.com'))?.first_name).toBe('Before');
    expect(await members(listId)).toEqual({ 'brand-new@example.com': 'subscribed' });
    expect(await rejectedRows(added.result.rejectsKey!)).toEqual([
      'row,reason,email,firstName',
      '2,skipped: a contact with this email exists (mode add only adds new contacts),existing@example.com,',
    ]);

    const updated = await runImport(ws, listId, 'email,firstName\nexisting@example.com,After\nnobody@example.com,Nobody\n', { mode: 'update' });
    expect(updated.result).toMatchObject({ rows: 2, created: 0, updated: 1, unchanged: 0, skipped: 1, failed: 0 });
    expect((await contact(ws, 'existing@example.com'))?.first_name).toBe('After');
    expect(await contact(ws, 'nobody@example.com')).toBeUndefined();
    expect(await members(listId)).toEqual({ 'brand-new@example.com': 'subscribed', 'existing@example.com': 'subscribed' });
    expect(await rejectedRows(updated.result.rejectsKey!)).toEqual([
      'row,reason,email,firstName',
      '3,skipped: no contact with this email (mode update only changes existing contacts),nobody@example.com,',
    ]);

    const again = await runImport(ws, listId, 'email,firstName\nexisting@example.com,After\n', { mode: 'upsert' });
    expect(again.result).toMatchObject({ rows: 1, created: 0, updated: 0, unchanged: 1, skipped: 0, rejectsKey: null });

    const completed = (await recordedEvents(stack, { workspaceId: ws, subject: COMPLETED })).map((e) => e.envelope.data);
    expect(completed).toEqual([
      expect.objectContaining({ jobId: added.job.id, mode: 'add', created: 1, skipped: 1, rejectsKey: added.result.rejectsKey }),
      expect.objectContaining({ jobId: updated.job.id, mode: 'update', updated: 1, skipped: 1, rejectsKey: updated.result.rejectsKey }),
      expect.objectContaining({ jobId: again.job.id, mode: 'upsert', unchanged: 1, skipped: 0 }),
    ]);
  });

  it('never re-subscribes a member who unsubscribed or bounced when the file has no status column; a status column applies, unless opt-outs are protected', async () => {
    const ws = uniqueWorkspace('imp');
    const listId = await newList(ws);
    await seedContact(ws, 'unsub@example.com', { listId, status: 'unsubscribed' });
    await seedContact(ws, 'bounced@example.com', { listId, status: 'bounced' });

    const plain = await runImport(ws, listId, 'email;first_name\nunsub@example.com;U\nbounced@example.com;B\nnew@example.com;N\n');
    expect(plain.result).toMatchObject({ delimiter: ';', statusColumn: false, created: 1, updated: 2, statusChanged: 0, failed: 0 });
    expect(await members(listId)).toEqual({ 'unsub@example.com': 'unsubscribed', 'bounced@example.com': 'bounced', 'new@example.com': 'subscribed' });
    expect((await contact(ws, 'unsub@example.com'))?.first_name).toBe('U');

    const file = 'email,status\nunsub@example.com,subscribed\nbounced@example.com,subscribed\nnew@example.com,unsubscribed\n';
    const protectedRun = await runImport(ws, listId, file, { protectOptOuts: true });
    expect(protectedRun.result).toMatchObject({ statusColumn: true, created: 0, updated: 1, unchanged: 2, statusChanged: 1 });
    expect(await members(listId)).toEqual({ 'unsub@example.com': 'unsubscribed', 'bounced@example.com': 'bounced', 'new@example.com': 'unsubscribed' });

    const applied = await runImport(ws, listId, file);
    expect(applied.result).toMatchObject({ statusColumn: true, created: 0, updated: 2, unchanged: 1, statusChanged: 2 });
    expect(await members(listId)).toEqual({ 'unsub@example.com': 'subscribed', 'bounced@example.com': 'subscribed', 'new@example.com': 'unsubscribed' });
  });

  it('rejects duplicate emails (the first row counts) and invalid rows, with their row numbers and reasons in the rejected-rows file', async () => {
    const ws = uniqueWorkspace('imp');
    const listId = await newList(ws);
    const { job, result } = await runImport(
      ws,
      listId,
      'email,firstName,status\n' +
        'ann@example.com,Ann,\n' + // row 2
        'ben@example.com,Ben,\n' + // row 3
        'ANN@example.com,Dup,\n' + // row 4: duplicate of row 2
        'not-an-email,X,\n' + // row 5
        'ben@example.com,Ben again,\n' + // row 6: duplicate of row 3
        'cid@example.com,Cid,maybe\n',
    ); // row 7
    expect(result).toMatchObject({ rows: 6, created: 2, updated: 0, skipped: 0, failed: 4 });
    expect(result.rejectsKey).toMatch(new RegExp(`^${ws}/imports/\\d{4}/\\d\\d/\\d\\d/${job.id}-rejected\\.csv$`));
    expect(await rejectedRows(result.rejectsKey!)).toEqual([
      'row,reason,email,firstName,status',
      '5,"""not-an-email"" is not a valid email address",not-an-email,X,',
      '7,"status ""maybe"" is not one of subscribed, unsubscribed, bounced, unconfirmed",cid@example.com,Cid,maybe',
      '4,duplicate email in the file (first seen on row 2),ANN@example.com,,',
      '6,duplicate email in the file (first seen on row 3),ben@example.com,,',
    ]);
    expect(await members(listId)).toEqual({ 'ann@example.com': 'subscribed', 'ben@example.com': 'subscribed' });
    expect((await contact(ws, 'ann@example.com'))?.first_name).toBe('Ann');
    expect((await contact(ws, 'ben@example.com'))?.first_name).toBe('Ben');
    const [completed] = await recordedEvents(stack, { workspaceId: ws, subject: COMPLETED });
    expect(completed!.envelope.data).toMatchObject({ jobId: job.id, rows: 6, created: 2, failed: 4, rejectsKey: result.rejectsKey });
  });

  it('a dry run writes nothing (nor a backup) and counts exactly what the same import then does', async () => {
    const ws = uniqueWorkspace('imp');
    const listId = await newList(ws);
    await seedContact(ws, 'keep@example.com', { firstName: 'Keep', listId });
    await seedContact(ws, 'gone@example.com', { listId, status: 'unsubscribed' });
    const csv =
      'email,firstName,city\nkeep@example.com,Changed,\nnew-1@example.com,N1,Oslo\nnew-2@example.com,N2,\nbad,,\ngone@example.com,,\nNEW-1@example.com,Again,\n';
    const before = await state(ws);

    const dry = await runImport(ws, listId, csv, { dryRun: true, origin: 'app' });
    expect(dry.job.status).toBe('succeeded');
    expect(dry.result).toMatchObject({ dryRun: true, rows: 6, created: 2, updated: 1, unchanged: 1, skipped: 0, failed: 2, snapshotId: null });
    expect(await state(ws)).toEqual(before);
    expect(await backupFiles(ws)).toEqual([]);
    const events = await recordedEvents(stack, { workspaceId: ws });
    expect(events.map((e) => e.subject)).toEqual([COMPLETED]);
    expect(events[0]!.envelope.data).toMatchObject({ jobId: dry.job.id, dryRun: true, created: 2, updated: 1, failed: 2 });
    expect(events[0]!.transaction).toBe(await jobTransaction(stack, dry.job.id));

    const real = await runImport(ws, listId, csv, { origin: 'api' });
    const counts = (r: typeof dry.result) => ({
      rows: r.rows,
      created: r.created,
      updated: r.updated,
      unchanged: r.unchanged,
      skipped: r.skipped,
      failed: r.failed,
      statusChanged: r.statusChanged,
    });
    expect(counts(real.result)).toEqual(counts(dry.result));
    expect(await members(listId)).toEqual({
      'keep@example.com': 'subscribed',
      'gone@example.com': 'unsubscribed',
      'new-1@example.com': 'subscribed',
      'new-2@example.com': 'subscribed',
    });
    expect((await contact(ws, 'keep@example.com'))?.first_name).toBe('Changed');
  });

  it("a back-office import backs the list up first: the snapshot is recorded in the job's transaction and its file holds the list as it was", async () => {
    const ws = uniqueWorkspace('imp');
    const listId = await newList(ws, 'Backed up');
    await seedContact(ws, 'ann@example.com', { firstName: 'Ann', fields: { city: 'Rome' }, listId });
    await seedContact(ws, 'ben@example.com', { listId, status: 'unsubscribed' });
    const { job, result } = await runImport(ws, listId, 'email\ncarl@example.com\n', { origin: 'app' });

    expect(job.status).toBe('succeeded');
    expect(result.snapshotId).toEqual(expect.any(String));
    const events = await recordedEvents(stack, { workspaceId: ws });
    expect(events.map((e) => e.subject)).toEqual([SNAPSHOT, COMPLETED]);
    const snapshot = events[0]!.envelope.data as Record<string, unknown> & { key: string; bytes: number; sha256: string };
    expect(snapshot).toMatchObject({
      snapshotId: result.snapshotId,
      listId,
      listName: 'Backed up',
      reason: 'import',
      jobId: job.id,
      requestedBy: 'importer',
      causeOrigin: 'app',
      bucket: stack.storage.bucket('backups'),
      rows: 2,
    });
    const transaction = await jobTransaction(stack, job.id);
    expect(events.map((e) => e.transaction)).toEqual([transaction, transaction]);

    expect(await backupFiles(ws)).toEqual([snapshot.key]);
    const file = await stack.storage.readSmall('backups', snapshot.key);
    expect({ bytes: file.length, sha256: createHash('sha256').update(file).digest('hex') }).toEqual({ bytes: snapshot.bytes, sha256: snapshot.sha256 });
    const lines = file.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('email,firstName,lastName,status,createdAt,fields.city');
    expect(
      lines
        .slice(1)
        .map((l) => l.replace(/,\d{4}-\d\d-\d\dT[\d:.]+Z/, ',<createdAt>'))
        .sort(),
    ).toEqual(['ann@example.com,Ann,,subscribed,<createdAt>,Rome', 'ben@example.com,,,unsubscribed,<createdAt>,']);
    expect(await members(listId)).toEqual({ 'ann@example.com': 'subscribed', 'ben@example.com': 'unsubscribed', 'carl@example.com': 'subscribed' });

    // No backup for an API client, nor where the policy turned backups off or excludes the list.
    const viaApi = await runImport(ws, listId, 'email\ndan@example.com\n', { origin: 'api' });
    expect(viaApi.result.snapshotId).toBeNull();
    await stack.ds.query(`insert into backup_policy values ($1, true, array[$2]::uuid[], now())`, [ws, listId]);
    const excluded = await runImport(ws, listId, 'email\neve@example.com\n', { origin: 'app' });
    expect(excluded.result.snapshotId).toBeNull();
    const otherList = await newList(ws, 'Other');
    const other = await runImport(ws, otherList, 'email\nfay@example.com\n', { origin: 'app' });
    expect(other.result.snapshotId).toEqual(expect.any(String));
    await stack.ds.query("update backup_policy set automatic_backups = false, excluded_list_ids = '{}' where workspace_id = $1", [ws]);
    const off = await runImport(ws, otherList, 'email\ngus@example.com\n', { origin: 'app' });
    expect(off.result.snapshotId).toBeNull();
    expect((await recordedEvents(stack, { workspaceId: ws, subject: SNAPSHOT })).map((e) => e.envelope.data.jobId)).toEqual([job.id, other.job.id]);
    expect(await backupFiles(ws)).toHaveLength(2);
  });

  it.each([
    ['a header naming a column twice', 'email,Email\na@example.com,b@example.com\n', 'CSV_BAD_HEADER'],
    ['a header without an email column', 'name\nno email column\n', 'IMPORT_FILE_INVALID'],
    ['an unclosed quote', 'email,firstName\nok@example.com,Ok\nlate@example.com,"unclosed\n', 'CSV_UNBALANCED_QUOTES'],
    ['a file that is gone', null, 'IMPORT_OBJECT_MISSING'],
  ])("an import that fails on %s ends failed with the file's code, changes nothing and leaves no backup behind", async (_what, csv, code) => {
    const ws = uniqueWorkspace('imp');
    const listId = await newList(ws);
    await seedContact(ws, 'member@example.com', { listId, status: 'unsubscribed' });
    const before = await state(ws);
    const { job } = await runImport(ws, listId, csv, { origin: 'app' });

    expect(job.status).toBe('failed');
    expect(job.error).toEqual({ code, message: expect.any(String) });
    expect(job.result).toBeNull();
    expect(await state(ws)).toEqual(before);
    expect(await backupFiles(ws)).toEqual([]);
    const events = await recordedEvents(stack, { workspaceId: ws });
    expect(events.map((e) => e.subject)).toEqual([FAILED]);
    expect(events[0]!.envelope.data).toEqual({ jobId: job.id, listId, code, message: job.error!.message });
    expect(events[0]!.transaction).toBe(await jobTransaction(stack, job.id));
  });

  it('starts over when a contact with an email of the file is created while it writes, and then matches that contact', async () => {
    const ws = uniqueWorkspace('imp');
    const listId = await newList(ws);
    // Another transaction creates the contact first and commits only once the import's insert waits for it.
    const other = stack.ds.createQueryRunner();
    await other.connect();
    let running: ReturnType<typeof runImport> | undefined;
    try {
      await other.startTransaction();
      const [created] = (await other.query(`insert into contact (workspace_id, email, first_name) values ($1, 'race@example.com', 'Elsewhere') returning id`, [
        ws,
      ])) as { id: string }[];
      running = runImport(ws, listId, 'email,firstName\nrace@example.com,Imported\nother@example.com,Other\n');
      await waitFor(
        async () =>
          (
            (await stack.ds.query(
              `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into contact (id, workspace_id%'`,
            )) as unknown[]
          ).length > 0,
        { what: "the import's insert to wait for the other transaction" },
      );
      await other.commitTransaction();
      const { job, result } = await running;

      expect(job.status).toBe('succeeded');
      expect(result).toMatchObject({ created: 1, updated: 1 });
      const [race] = (await stack.ds.query('select id, first_name from contact where workspace_id = $1 and email = $2', [ws, 'race@example.com'])) as {
        id: string;
        first_name: string;
      }[];
      expect(race).toEqual({ id: created!.id, first_name: 'Imported' });
      expect(await members(listId)).toEqual({ 'race@example.com': 'subscribed', 'other@example.com': 'subscribed' });
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
      await running?.catch(() => undefined);
    }
  });
  it("schedules an ended import's files for removal in the job's final transaction, and the sweeper removes them once their time comes, never a backup", async () => {
    const ws = uniqueWorkspace('imp');
    const listId = await newList(ws);
    const { job, result } = await runImport(ws, listId, 'email\nnot-an-email\nok@example.com\n');
    expect(result.rejectsKey).toEqual(expect.any(String));
    const [scheduled] = (await stack.ds.query("select keys, remove_after > now() + interval '6 days' as later from import_file_removal where job_id = $1", [
      job.id,
    ])) as { keys: string[]; later: boolean }[];
    expect(scheduled).toMatchObject({ later: true });
    expect(scheduled!.keys).toEqual([job.params.objectKey, result.rejectsKey, result.rejectsKey!.replace('-rejected', '-repaired')]);
    expect((await objectKeys(stack, 'imports', `${ws}/`)).sort()).toEqual([job.params.objectKey, result.rejectsKey].sort());

    // A backup restored by an import stays: only the import's own files are listed.
    const backupKey = objectKey(ws, 'backups', randomUUID(), 'csv');
    await putObject(stack, 'backups', backupKey, 'email\nb@example.com\n');
    const restore = await runImport(ws, listId, null, { objectKey: backupKey, source: 'backups' });
    const [restoreFiles] = (await stack.ds.query('select keys from import_file_removal where job_id = $1', [restore.job.id])) as { keys: string[] }[];
    expect(restoreFiles!.keys.some((k) => k.includes('/backups/'))).toBe(false);

    const sweeper = new ImportFilesSweeper(stack.ds, stack.storage, new ContactsEnv(), createLogger('contacts', 'silent'));
    await stack.ds.query("update import_file_removal set remove_after = now() - interval '1 second' where job_id = any($1::uuid[])", [
      [job.id, restore.job.id],
    ]);
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(2);
    expect(await objectKeys(stack, 'imports', `${ws}/`)).toEqual([]);
    expect(await objectKeys(stack, 'backups', `${ws}/`)).toEqual([backupKey]);
    expect(await stack.ds.query('select 1 from import_file_removal where job_id = any($1::uuid[])', [[job.id, restore.job.id]])).toEqual([]);
  });
});
