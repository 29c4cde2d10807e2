import { randomUUID } from 'node:crypto';
import type { CommandContext } from '@custodian/contracts';
import { jobTransaction, mediumStack, recordedEvents, runJob, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import { ContactsEnv } from '../config.js';
import { MIGRATIONS } from '../database/migrations.js';
import { FieldDefinitions } from '../fields/field-definitions.js';
import { BulkArchiveJob, type BulkArchiveParams } from './bulk-archive-job.js';
import { LifecycleService } from './lifecycle.service.js';

const ARCHIVED = 'events.contacts.contact.archived.v1';
const DEAL_CHANGED = 'events.contacts.deal.changed.v1';

describe('the bulk archive job, on the real database', () => {
  let stack: MediumStack;
  let archives: BulkArchiveJob;

  beforeAll(async () => {
    stack = await mediumStack('contacts', MIGRATIONS);
    archives = new BulkArchiveJob(stack.ds, new LifecycleService(stack.ds, stack.storage, new FieldDefinitions(new ContactsEnv())));
  });
  afterAll(async () => {
    await stack.close();
  });

  const one = async <T>(sql: string, params: unknown[]): Promise<T> => ((await stack.ds.query(sql, params)) as T[])[0]!;
  const list = async (ws: string, name: string) =>
    (await one<{ id: string }>('insert into list (workspace_id, name) values ($1, $2) returning id', [ws, name])).id;
  const tag = async (ws: string, name: string) =>
    (await one<{ id: string }>('insert into tag (workspace_id, name) values ($1, $2) returning id', [ws, name])).id;

  async function contact(
    ws: string,
    email: string,
    c: { firstName?: string; fields?: Record<string, string>; lists?: [string, string][]; tags?: string[] } = {},
  ): Promise<string> {
    const { id } = await one<{ id: string }>('insert into contact (workspace_id, email, first_name, fields) values ($1, $2, $3, $4) returning id', [
      ws,
      email,
      c.firstName ?? null,
      c.fields ?? {},
    ]);
    for (const [listId, status] of c.lists ?? [])
      await stack.ds.query('insert into membership (workspace_id, list_id, contact_id, status) values ($1, $2, $3, $4)', [ws, listId, id, status]);
    for (const tagId of c.tags ?? []) await stack.ds.query('insert into contact_tag values ($1, $2)', [id, tagId]);
    return id;
  }

  async function deal(ws: string, name: string, contacts: { id: string; primary: boolean }[]): Promise<string> {
    const { id } = await one<{ id: string }>('insert into deal (workspace_id, name) values ($1, $2) returning id', [ws, name]);
    for (const c of contacts) await stack.ds.query('insert into deal_contact values ($1, $2, $3)', [id, c.id, c.primary]);
    return id;
  }

  const emails = async (ws: string) =>
    ((await stack.ds.query('select email from contact where workspace_id = $1 order by email', [ws])) as { email: string }[]).map((r) => r.email);

  function archive(ws: string, filter: BulkArchiveParams['filter'], reason?: string) {
    const context: CommandContext = { workspaceId: ws, actor: { id: 'cleaner' }, origin: 'app', correlationId: randomUUID() };
    return runJob(stack, archives.definition, { workspaceId: ws, params: { filter, ...(reason ? { reason } : {}), context } });
  }

  it('archives every member of a list, each contact in its own transaction with its complete snapshot; a deal left without contacts goes with it', async () => {
    const ws = uniqueWorkspace('arc');
    const cleanup = await list(ws, 'Cleanup');
    const keep = await list(ws, 'Keep');
    const inactive = await tag(ws, 'inactive');
    const a = await contact(ws, 'a@example.com', {
      firstName: 'A',
      fields: { city: 'Rome' },
      lists: [
        [cleanup, 'subscribed'],
        [keep, 'unsubscribed'],
      ],
      tags: [inactive],
    });
    const b = await contact(ws, 'b@example.com', { lists: [[cleanup, 'bounced']] });
    await contact(ws, 'c@example.com', { lists: [[cleanup, 'unsubscribed']] });
    const d = await contact(ws, 'd@example.com', { lists: [[keep, 'subscribed']] });
    const solo = await deal(ws, 'Solo', [{ id: a, primary: true }]);
    const shared = await deal(ws, 'Shared', [
      { id: b, primary: true },
      { id: d, primary: false },
    ]);

    const job = await archive(ws, { listId: cleanup }, 'cleanup');
    expect(job.status).toBe('succeeded');
    expect(job.result).toEqual({ archived: 3, matched: 3 });
    expect(job.progress).toEqual({ done: 3, total: 3 });

    expect(await emails(ws)).toEqual(['d@example.com']);
    expect(await stack.ds.query('select list_id, contact_id, status from membership where workspace_id = $1', [ws])).toEqual([
      { list_id: keep, contact_id: d, status: 'subscribed' },
    ]);
    expect(await stack.ds.query('select contact_id from contact_tag where tag_id = $1', [inactive])).toEqual([]);
    expect(await stack.ds.query('select id, name from deal where workspace_id = $1', [ws])).toEqual([{ id: shared, name: 'Shared' }]);
    expect(await stack.ds.query('select contact_id, is_primary from deal_contact where deal_id = $1', [shared])).toEqual([{ contact_id: d, is_primary: true }]);

    const events = await recordedEvents(stack, { workspaceId: ws });
    expect(events.map((e) => e.subject)).toEqual([DEAL_CHANGED, ARCHIVED, ARCHIVED, ARCHIVED]);
    const archived = events.filter((e) => e.subject === ARCHIVED);
    expect(archived.map((e) => (e.envelope.data.snapshot as { email: string }).email)).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    expect(archived[0]!.envelope).toMatchObject({ origin: 'app', actor: { id: 'cleaner' } });
    expect(archived[0]!.envelope.data).toEqual({
      reason: 'cleanup',
      snapshot: {
        contactId: a,
        email: 'a@example.com',
        firstName: 'A',
        lastName: null,
        fields: { city: 'Rome' },
        createdAt: expect.any(String),
        memberships: [
          { listId: cleanup, listName: 'Cleanup', status: 'subscribed' },
          { listId: keep, listName: 'Keep', status: 'unsubscribed' },
        ],
        tags: [{ tagId: inactive, name: 'inactive' }],
        accounts: [],
        deals: [{ dealId: solo, name: 'Solo', wasPrimary: true, deletedWithContact: true }],
      },
    });
    expect(archived[1]!.envelope.data.snapshot).toMatchObject({
      contactId: b,
      memberships: [{ listId: cleanup, status: 'bounced' }],
      deals: [{ dealId: shared, wasPrimary: true, deletedWithContact: false }],
    });
    expect(events[0]!.envelope.data).toMatchObject({ dealId: solo, change: 'deleted', contactIds: [a] });
    // One transaction per contact (the solo deal's deletion goes with its contact), none of them the job's own end.
    const transactions = events.map((e) => e.transaction);
    expect(transactions[0]).toBe(transactions[1]);
    expect(new Set(transactions.slice(1)).size).toBe(3);
    expect(transactions).not.toContain(await jobTransaction(stack, job.id));
  });

  it("archives only contacts every criterion of the filter selects, in the job's workspace alone", async () => {
    const ws = uniqueWorkspace('arc');
    const other = uniqueWorkspace('arc');
    const cleanup = await list(ws, 'Cleanup');
    const inactive = await tag(ws, 'inactive');
    await contact(ws, 'tagged-member@example.com', { lists: [[cleanup, 'subscribed']], tags: [inactive] });
    await contact(ws, 'member@example.com', { lists: [[cleanup, 'subscribed']] });
    await contact(ws, 'tagged@example.com', { tags: [inactive] });
    await contact(other, 'tagged@example.com', { tags: [await tag(other, 'inactive')] });

    const both = await archive(ws, { listId: cleanup, tag: 'INACTIVE' });
    expect(both.result).toEqual({ archived: 1, matched: 1 });
    expect(await emails(ws)).toEqual(['member@example.com', 'tagged@example.com']);

    const byEmail = await archive(ws, { emails: ['Member@Example.com', 'nobody@example.com'] });
    expect(byEmail.result).toEqual({ archived: 1, matched: 1 });
    expect(await emails(ws)).toEqual(['tagged@example.com']);

    const byTag = await archive(ws, { tag: 'inactive' });
    expect(byTag.result).toEqual({ archived: 1, matched: 1 });
    expect(await emails(ws)).toEqual([]);
    expect(await emails(other)).toEqual(['tagged@example.com']);
    expect(await recordedEvents(stack, { workspaceId: other })).toEqual([]);
    expect((await recordedEvents(stack, { workspaceId: ws, subject: ARCHIVED })).map((e) => (e.envelope.data.snapshot as { email: string }).email)).toEqual([
      'tagged-member@example.com',
      'member@example.com',
      'tagged@example.com',
    ]);

    const none = await archive(ws, { listId: cleanup });
    expect(none).toMatchObject({ status: 'succeeded', result: { archived: 0, matched: 0 }, progress: { done: 0, total: 0 } });
  });
});
