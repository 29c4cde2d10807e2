import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { ExportContactsDatasetV1 } from '@custodian/contracts';
import { objectKey } from '@custodian/storage';
import { jobTransaction, mediumStack, objectKeys, recordedEvents, runJob, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import { MIGRATIONS } from '../database/migrations.js';
import { DatasetExportJob } from './dataset-export-job.js';

const EXPORTED = 'events.contacts.dataset.exported.v1';
const FAILED = 'events.contacts.dataset.failed.v1';

describe('the contacts dataset job, on the real database and S3 server', () => {
  let stack: MediumStack;
  let datasets: DatasetExportJob;
  const ws = uniqueWorkspace('ds');
  const ids: Record<string, string> = {};
  const lists: Record<string, string> = {};

  const one = async <T>(sql: string, params: unknown[]): Promise<T> => ((await stack.ds.query(sql, params)) as T[])[0]!;

  beforeAll(async () => {
    stack = await mediumStack('contacts', MIGRATIONS, ['exports']);
    datasets = new DatasetExportJob(stack.ds, stack.storage);
    for (const name of ['VIP', 'News'])
      lists[name] = (await one<{ id: string }>('insert into list (workspace_id, name) values ($1, $2) returning id', [ws, name])).id;
    const tags: Record<string, string> = {};
    for (const name of ['b', 'a']) tags[name] = (await one<{ id: string }>('insert into tag (workspace_id, name) values ($1, $2) returning id', [ws, name])).id;
    const contact = async (wsId: string, email: string, at: string, c: { firstName?: string; lastName?: string; fields?: Record<string, string> }) =>
      (
        await one<{ id: string }>(
          `insert into contact (workspace_id, email, first_name, last_name, fields, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6) returning id`,
          [wsId, email, c.firstName ?? null, c.lastName ?? null, c.fields ?? {}, at],
        )
      ).id;
    ids.a = await contact(ws, 'ds-a@example.com', '2026-06-01 10:00:00+00', { firstName: '=HYPERLINK("x")', fields: { city: 'Madrid' } });
    ids.b = await contact(ws, 'ds-b@example.com', '2026-06-02 10:00:00+00', { lastName: 'Plain' });
    await stack.ds.query('insert into custom_field values ($1, $2)', [ws, 'city']);
    await stack.ds.query('insert into membership (workspace_id, list_id, contact_id, status) values ($1, $2, $3, $4), ($1, $5, $3, $6)', [
      ws,
      lists.VIP,
      ids.a,
      'unsubscribed',
      lists.News,
      'subscribed',
    ]);
    await stack.ds.query('insert into membership (workspace_id, list_id, contact_id, status) values ($1, $2, $3, $4)', [ws, lists.News, ids.b, 'subscribed']);
    await stack.ds.query('insert into contact_tag values ($1, $2), ($1, $3)', [ids.a, tags.b, tags.a]);
    // Another workspace's contacts and fields are never in this one's dataset.
    const other = uniqueWorkspace('ds');
    await contact(other, 'ds-a@example.com', '2026-06-01 10:00:00+00', { fields: { secret: 'x' } });
    await stack.ds.query('insert into custom_field values ($1, $2)', [other, 'secret']);
  });
  afterAll(async () => {
    await stack.close();
  });

  function exportDataset(request: Omit<ExportContactsDatasetV1, 'exportId' | 'key'>, ext = 'csv') {
    const exportId = randomUUID();
    const key = objectKey(ws, 'exports', exportId, ext);
    const context = { workspaceId: ws, actor: { id: 'exports' }, origin: 'system' as const, correlationId: randomUUID() };
    return runJob(stack, datasets.definition, { workspaceId: ws, params: { exportId, key, ...request, context } });
  }

  it('writes every contact of the workspace with every column, formula-safe, in the asked time zone, and its end records the exported event', async () => {
    const job = await exportDataset({ timeZone: 'Asia/Tokyo' });
    expect(job.status).toBe('succeeded');
    const { exportId, key } = job.params;
    const file = await stack.storage.readSmall('exports', key);
    expect(file.toString('utf8')).toBe(
      'id,email,firstName,lastName,createdAt,updatedAt,tags,lists,fields.city\n' +
        `${ids.a},ds-a@example.com,"'=HYPERLINK(""x"")",,2026-06-01T19:00:00+09,2026-06-01T19:00:00+09,a;b,News:subscribed;VIP:unsubscribed,Madrid\n` +
        `${ids.b},ds-b@example.com,,Plain,2026-06-02T19:00:00+09,2026-06-02T19:00:00+09,,News:subscribed,\n`,
    );
    const columns = ['id', 'email', 'firstName', 'lastName', 'createdAt', 'updatedAt', 'tags', 'lists', 'fields.city'];
    const sha256 = createHash('sha256').update(file).digest('hex');
    expect(job.result).toEqual({ exportId, bucket: stack.storage.bucket('exports'), key, rows: 2, bytes: file.length, sha256, columns });
    expect(job.progress).toEqual({ done: 2, total: 2 });

    const events = await recordedEvents(stack, { workspaceId: ws, subject: EXPORTED });
    expect(events.map((e) => e.envelope.data)).toEqual([
      { exportId, jobId: job.id, bucket: stack.storage.bucket('exports'), key, rows: 2, bytes: file.length, sha256, columns },
    ]);
    expect(events[0]!.envelope).toMatchObject({ origin: 'system', actor: { id: 'exports' } });
    expect(events[0]!.transaction).toBe(await jobTransaction(stack, job.id));
  });

  it("writes one list's contacts with one tag, chosen columns in their order, with ; and gzip, in CET by default", async () => {
    const job = await exportDataset(
      { listId: lists.VIP, tag: 'B', fields: ['email', 'createdAt', 'lists', 'fields.city'], delimiter: ';', compression: 'gzip', header: false },
      'csv.gz',
    );
    expect(job.status).toBe('succeeded');
    const file = await stack.storage.readSmall('exports', job.params.key);
    expect(gunzipSync(file).toString('utf8')).toBe('ds-a@example.com;2026-06-01T12:00:00+02;"News:subscribed;VIP:unsubscribed";Madrid\n');
    expect(job.result).toMatchObject({ rows: 1, bytes: file.length, columns: ['email', 'createdAt', 'lists', 'fields.city'] });

    const news = await exportDataset({ listId: lists.News, tag: 'nobody', fields: ['email'] });
    expect(news.result).toMatchObject({ rows: 0 });
    expect((await stack.storage.readSmall('exports', news.params.key)).toString('utf8')).toBe('email\n');
  });

  it('ends failed with DATASET_BAD_TIME_ZONE for an unknown time zone, writes no file and records the failed event', async () => {
    const job = await exportDataset({ timeZone: 'Mars/Olympus' });
    expect(job.status).toBe('failed');
    expect(job.error).toEqual({ code: 'DATASET_BAD_TIME_ZONE', message: 'unknown time zone "Mars/Olympus"' });
    expect(await stack.storage.stat('exports', job.params.key)).toBeNull();
    expect(await objectKeys(stack, 'exports', `${ws}/`)).not.toContain(job.params.key);
    const events = await recordedEvents(stack, { workspaceId: ws });
    expect(events.filter((e) => e.envelope.data.exportId === job.params.exportId).map((e) => [e.subject, e.envelope.data])).toEqual([
      [FAILED, { exportId: job.params.exportId, jobId: job.id, code: 'DATASET_BAD_TIME_ZONE', message: 'unknown time zone "Mars/Olympus"' }],
    ]);
    expect(events.find((e) => e.subject === FAILED)!.transaction).toBe(await jobTransaction(stack, job.id));
  });
});
