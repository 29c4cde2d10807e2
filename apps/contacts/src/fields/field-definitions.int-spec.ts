import { randomUUID } from 'node:crypto';
import { DomainError, ErrorCode, SNAPSHOT_FIXTURE, type CommandContext } from '@custodian/contracts';
import { loadConfig } from '@custodian/config';
import { createLogger } from '@custodian/observability';
import { objectKey } from '@custodian/storage';
import { mediumStack, putObject, runJob, stackEnv, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import { BackupPolicy } from '../backup-policy/backup-policy.js';
import { ContactsEnv } from '../config.js';
import { MIGRATIONS } from '../database/migrations.js';
import { ImportJob, type ImportParams } from '../imports/import-job.js';
import { LifecycleService } from '../lifecycle/lifecycle.service.js';
import { ListSnapshots } from '../snapshots/list-snapshot.js';
import { FieldDefinitions } from './field-definitions.js';
import { FIELD_HARD_LIMIT } from './field-limits.js';

describe('custom field definitions, on the real database and S3 server', () => {
  let stack: MediumStack;
  let snapshots: ListSnapshots;
  /** Fields limited to 3 per workspace, values to 10 characters and 64 bytes per contact. */
  let fields: FieldDefinitions;
  let imports: ImportJob;

  beforeAll(async () => {
    stack = await mediumStack('contacts', MIGRATIONS, ['imports', 'backups']);
    snapshots = new ListSnapshots(stack.ds, stack.storage, new BackupPolicy(createLogger('contacts', 'silent')));
    const env = loadConfig(ContactsEnv, { ...stackEnv(), CONTACTS_FIELD_LIMIT: '3', CONTACTS_FIELD_VALUE_MAX_LENGTH: '10', CONTACTS_FIELDS_MAX_BYTES: '1024' });
    fields = new FieldDefinitions(env);
    imports = new ImportJob(stack.ds, stack.storage, snapshots, env, fields);
  });
  afterAll(async () => {
    await stack.close();
  });

  const context = (workspaceId: string): CommandContext => ({ workspaceId, actor: { id: 'admin-1' }, origin: 'app', correlationId: randomUUID() });

  async function newList(ws: string): Promise<string> {
    const [list] = (await stack.ds.query("insert into list (workspace_id, name) values ($1, 'Members') returning id", [ws])) as { id: string }[];
    return list!.id;
  }

  const definitions = async (ws: string) =>
    ((await stack.ds.query('select name from custom_field where workspace_id = $1 order by name', [ws])) as { name: string }[]).map((r) => r.name);

  const fieldsOf = async (ws: string, email: string) =>
    ((await stack.ds.query('select fields from contact where workspace_id = $1 and email = $2', [ws, email])) as { fields: Record<string, string> }[])[0]
      ?.fields;

  async function runImport(ws: string, listId: string, key: string, source: 'imports' | 'backups') {
    const ctx = context(ws);
    const params: ImportParams = { listId, mode: 'upsert', objectKey: key, dryRun: false, source, context: { ...ctx, origin: 'api' } };
    return runJob(stack, imports.definition, { workspaceId: ws, correlationId: ctx.correlationId, params });
  }

  async function upload(ws: string, kind: 'imports' | 'backups', csv: string): Promise<string> {
    const key = objectKey(ws, kind, randomUUID(), 'csv');
    await putObject(stack, kind, key, csv);
    return key;
  }

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (err: unknown) => (err instanceof DomainError ? { code: err.code, message: err.message } : { code: 'UNEXPECTED', message: String(err) }),
    );

  it('names are one field regardless of case: a write in another case uses the defined name, and two concurrent first uses define it once', async () => {
    const ws = uniqueWorkspace('fld');
    const [a, b] = await Promise.all([
      stack.ds.transaction((em) => fields.canonical(em, ws, { Region: 'North' })),
      stack.ds.transaction((em) => fields.canonical(em, ws, { region: 'South' })),
    ]);
    expect(await definitions(ws)).toHaveLength(1);
    const [defined] = await definitions(ws);
    expect([Object.keys(a!), Object.keys(b!)]).toEqual([[defined], [defined]]);
    expect(await refusal(stack.ds.transaction((em) => fields.canonical(em, ws, { REGION: 'x', region: 'y' })))).toMatchObject({
      code: ErrorCode.ValidationFailed,
      message: '"REGION" and "region" name the same field',
    });
  });

  it('holds the limit against concurrent new fields, checks names, types, lengths and the size per contact, and deletes a definition', async () => {
    const ws = uniqueWorkspace('fld');
    const attempts = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((name) => refusal(stack.ds.transaction((em) => fields.canonical(em, ws, { [`f_${name}`]: '1' })))),
    );
    expect(attempts.filter((a) => a === null)).toHaveLength(3);
    expect(attempts.filter((a) => a?.code === ErrorCode.FieldLimitReached)).toHaveLength(2);
    expect(await definitions(ws)).toHaveLength(3);
    const firstPage = await fields.list(stack.ds.manager, ws, { limit: 2 });
    const secondPage = await fields.list(stack.ds.manager, ws, { limit: 2, cursor: firstPage.nextCursor! });
    expect([firstPage.items.length, secondPage.items.length, secondPage.nextCursor]).toEqual([2, 1, null]);
    expect([...firstPage.items, ...secondPage.items].map((f) => f.name).sort()).toEqual(await definitions(ws));

    const other = uniqueWorkspace('fld');
    const refused = (input: Record<string, unknown>) => refusal(stack.ds.transaction((em) => fields.canonical(em, other, input)));
    expect(await refused({ ['x'.repeat(65)]: '1' })).toMatchObject({ code: ErrorCode.ValidationFailed, message: expect.stringContaining('longer than 64') });
    expect(await refused({ ' padded': '1' })).toMatchObject({ code: ErrorCode.ValidationFailed });
    expect(await refused({ 'E-Mail': '1' })).toMatchObject({ code: ErrorCode.ValidationFailed, message: expect.stringContaining('built-in column') });
    expect(await refused({ note: 'x'.repeat(11) })).toMatchObject({ code: ErrorCode.ValidationFailed, message: 'field note is longer than 10 characters' });
    expect(await refused({ big: 'x'.repeat(2000) })).toMatchObject({ code: ErrorCode.ValidationFailed, message: expect.stringContaining('at most 1024') });
    expect(await refused({ note: 42 })).toMatchObject({ code: ErrorCode.ValidationFailed });
    await stack.ds.transaction((em) => fields.define(em, other, 'Score', 'number'));
    expect(await refused({ score: 'lots' })).toMatchObject({ code: ErrorCode.ValidationFailed, message: expect.stringContaining('is not a number') });
    expect(await refusal(stack.ds.transaction((em) => fields.define(em, other, 'SCORE', 'text')))).toMatchObject({ code: ErrorCode.FieldNameTaken });
    // Nothing of the refused writes was defined.
    expect(await definitions(other)).toEqual(['Score']);

    await stack.ds.query('insert into contact (workspace_id, email, fields) values ($1, \'held@example.com\', \'{"Score": "7"}\')', [other]);
    expect(await refusal(stack.ds.transaction((em) => fields.delete(em, context(other), 'score', false)))).toMatchObject({ code: ErrorCode.FieldInUse });
    expect(await stack.ds.transaction((em) => fields.delete(em, context(other), 'score', true))).toEqual({ deleted: true, valuesRemoved: 1 });
    expect([await definitions(other), await fieldsOf(other, 'held@example.com')]).toEqual([[], {}]);
  });

  it('an import resolves its columns to the defined names, rejects values that break the rules by row, and fails whole when new columns do not fit the limit', async () => {
    const ws = uniqueWorkspace('fld');
    const listId = await newList(ws);
    await stack.ds.transaction((em) => fields.define(em, ws, 'Born', 'date'));
    const key = await upload(ws, 'imports', 'email,born,City\na@example.com,2001-02-03,Rome\nb@example.com,2001-02-30,Oslo\nc@example.com,,Reykjavík-x\n');
    const job = await runImport(ws, listId, key, 'imports');
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ rows: 3, created: 1, failed: 2 });
    const rejects = (await stack.storage.readSmall('imports', (job.result as { rejectsKey: string }).rejectsKey)).toString('utf8').trim().split(/\r?\n/);
    expect(rejects.slice(1)).toEqual([
      '3,field Born is not a date (YYYY-MM-DD),b@example.com,2001-02-30,Oslo',
      '4,field City is longer than 10 characters,c@example.com,,Reykjavík-x',
    ]);
    expect(await fieldsOf(ws, 'a@example.com')).toEqual({ Born: '2001-02-03', City: 'Rome' });

    const tooMany = await runImport(ws, listId, await upload(ws, 'imports', 'email,one,two\nd@example.com,1,2\n'), 'imports');
    expect(tooMany.status).toBe('failed');
    expect(tooMany.error).toMatchObject({ code: ErrorCode.FieldLimitReached, message: expect.stringContaining('(one, two)') });
    expect(await definitions(ws)).toEqual(['Born', 'City']);
    const sameField = await runImport(ws, listId, await upload(ws, 'imports', 'email,city,fields.CITY\ne@example.com,1,2\n'), 'imports');
    expect(sameField.error).toMatchObject({ code: ErrorCode.ImportFileInvalid, message: expect.stringContaining('name the same custom field') });
  });

  it('a backup written before names were unique regardless of case restores, into the defined name, past the field limit', async () => {
    const ws = uniqueWorkspace('fld');
    const listId = await newList(ws);
    for (const name of ['one', 'two', 'three']) await stack.ds.transaction((em) => fields.define(em, ws, name, 'text'));
    const key = await upload(
      ws,
      'backups',
      'email,firstName,lastName,status,createdAt,fields.City,fields.city,fields.A very long legacy name that an import today would refuse outright!\n' +
        `a@example.com,,,unsubscribed,2026-01-01T00:00:00.000Z,Rome,,${'v'.repeat(40)}\nb@example.com,,,subscribed,2026-01-01T00:00:00.000Z,,Oslo,\n`,
    );
    const job = await runImport(ws, listId, key, 'backups');
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ rows: 2, created: 2, failed: 0 });
    expect(await fieldsOf(ws, 'a@example.com')).toEqual({
      City: 'Rome',
      'A very long legacy name that an import today would refuse outright!': 'v'.repeat(40),
    });
    expect(await fieldsOf(ws, 'b@example.com')).toEqual({ City: 'Oslo' });
    expect(await definitions(ws)).toHaveLength(5);
  });

  it('an archived contact comes back under the names defined now, the defined spelling winning, and defines the names no longer defined', async () => {
    const ws = uniqueWorkspace('fld');
    for (const name of ['City', 'one', 'two']) await stack.ds.transaction((em) => fields.define(em, ws, name, 'text'));
    const lifecycle = new LifecycleService(stack.ds, stack.storage, fields);
    const snapshot = (email: string, values: Record<string, string>) => ({
      ...SNAPSHOT_FIXTURE,
      contactId: randomUUID(),
      email,
      fields: values,
      memberships: [],
      tags: [],
      accounts: [],
      deals: [],
    });
    const first = await lifecycle.restore(context(ws), snapshot('a@example.com', { city: 'Rome', CITY: 'Roma', Legacy: 'kept' }));
    expect(first.contact.fields).toEqual({ City: expect.stringMatching(/^Rom/), Legacy: 'kept' });
    const second = await lifecycle.restore(context(ws), snapshot('b@example.com', { city: 'Oslo', City: 'Bergen' }));
    expect(second.contact.fields).toEqual({ City: 'Bergen' });
    // Past the workspace's limit of 3: a restore brings back what was there.
    expect(await definitions(ws)).toEqual(['City', 'Legacy', 'one', 'two']);
  });

  it(`a list snapshot of a workspace with ${FIELD_HARD_LIMIT} fields of 64-character names is written whole and restores exactly`, async () => {
    const ws = uniqueWorkspace('fld');
    const listId = await newList(ws);
    const names = Array.from({ length: FIELD_HARD_LIMIT }, (_, i) => `${String(i).padStart(4, '0')}-${'n'.repeat(59)}`);
    await stack.ds.query('insert into custom_field (workspace_id, name) select $1, unnest($2::text[])', [ws, names]);
    const values = Object.fromEntries(names.map((n, i) => [n, `v${i}, "quoted"`]));
    const [row] = (await stack.ds.query("insert into contact (workspace_id, email, fields) values ($1, 'wide@example.com', $2) returning id", [
      ws,
      values,
    ])) as { id: string }[];
    await stack.ds.query("insert into membership (workspace_id, list_id, contact_id, status) values ($1, $2, $3, 'subscribed')", [ws, listId, row!.id]);

    const written = await stack.ds.transaction((em) => snapshots.write(em, { context: context(ws), listId, listName: 'Members', reason: 'deletion' }));
    const file = (await stack.storage.readSmall('backups', written.key)).toString('utf8');
    const header = file.slice(0, file.indexOf('\n')).split(',');
    expect(header).toHaveLength(5 + FIELD_HARD_LIMIT);
    expect(header.slice(5)).toEqual(names.map((n) => `fields.${n}`));

    await stack.ds.query('update contact set fields = $2 where id = $1', [row!.id, { [names[0]!]: 'changed' }]);
    const restored = await runImport(ws, listId, written.key, 'backups');
    expect(restored.status).toBe('succeeded');
    expect(await fieldsOf(ws, 'wide@example.com')).toEqual(values);
  });
});
