import type { CommandClient } from '@custodian/messaging';
import { databaseQuery, EventTap, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';
import { getAccountV1, restoreContactsV1, restoreContactV1, updateAccountV1, type ContactSnapshot } from '@custodian/contracts';

describe('accounts, deals, merge, archive and restore', () => {
  const system = new TestSystem(['contacts']);
  const workspace = uniqueWorkspace();
  const tap = new EventTap(workspace);
  let api: ReturnType<TestSystem['client']>;
  let archiveService: CommandClient;

  beforeAll(async () => {
    await Promise.all([system.start(), tap.start()]);
    api = system.client(system.token({ workspace }));
    // The archive service sends restores as NATS commands; so does this test.
    archiveService = system.commandClient('archive');
  });
  afterAll(async () => {
    await Promise.all([system.stop(), tap.stop()]);
  });

  const restore = (snapshot: ContactSnapshot) =>
    archiveService.request(
      restoreContactV1,
      { workspaceId: workspace, actor: { id: 'archive' }, origin: 'restore', correlationId: `restore-${snapshot.contactId}` },
      { snapshot },
    );

  async function contact(email: string, extra: object = {}) {
    const res = await api('POST', '/v1/contacts', { email, ...extra });
    expect(res.status).toBe(201);
    return res.body as { id: string; email: string };
  }

  it('keeps one primary contact per deal and links accounts to contacts', async () => {
    const a = await contact('deal-a@example.com');
    const b = await contact('deal-b@example.com');
    const bad = await api('POST', '/v1/deals', { name: 'X', contactIds: [a.id], primaryContactId: b.id });
    expect(bad.body.code).toBe('DEAL_PRIMARY_INVALID');
    const deal = await api('POST', '/v1/deals', { name: 'Renewal', amount: 99.5, contactIds: [a.id, b.id], primaryContactId: a.id });
    expect(deal.body.contacts).toEqual([
      { contactId: a.id, isPrimary: true },
      { contactId: b.id, isPrimary: false },
    ]);
    const switched = await api('PATCH', `/v1/deals/${deal.body.id}`, { primaryContactId: b.id, stage: 'won' });
    expect(switched.body).toMatchObject({ stage: 'won', amount: 99.5 });
    expect(switched.body.contacts.find((c: { isPrimary: boolean }) => c.isPrimary).contactId).toBe(b.id);

    const account = await api('POST', '/v1/accounts', { name: 'Acme', domain: 'acme.example', contactIds: [a.id] });
    expect(account.body).toMatchObject({ name: 'Acme', contactCount: 1 });
    expect(account.body).not.toHaveProperty('contactIds');
    const missing = await api('PATCH', `/v1/accounts/${account.body.id}`, { addContactIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(missing.status).toBe(404);
    await tap.waitFor('events.contacts.account.changed.v1', (d) => d.accountId === account.body.id && d.change === 'created');
    // The account's contacts are paged with the contacts, not carried by the account or its events.
    const changed = await api('PATCH', `/v1/accounts/${account.body.id}`, { addContactIds: [a.id, b.id], removeContactIds: [] });
    expect(changed.body.contactCount).toBe(2);
    const linked = await tap.waitFor('events.contacts.account.changed.v2', (d) => d.accountId === account.body.id && d.change === 'updated');
    expect(linked.envelope.data).toMatchObject({ contactCount: 2, linkedContactIds: [b.id], unlinkedContactIds: [] });
    const byAccount = await api('GET', `/v1/contacts?accountId=${account.body.id}`);
    expect(byAccount.body.items.map((c: { id: string }) => c.id).sort()).toEqual([a.id, b.id].sort());
    // The deprecated v1 command still answers with every linked contact.
    const v1 = await archiveService.request(
      getAccountV1,
      { workspaceId: workspace, actor: { id: 'old-client' }, origin: 'integration', correlationId: 'account-v1' },
      { id: account.body.id },
    );
    expect(v1.contactIds.sort()).toEqual([a.id, b.id].sort());
  });

  it('changes an account of more than 1,000 contacts, whose contacts come in pages and whose events carry what changed', async () => {
    const seeded = await databaseQuery<{ id: string }>(
      `insert into contacts.contact (workspace_id, email) select $1, 'member-' || i || '@example.com' from generate_series(1, 1001) i returning id`,
      [workspace],
    );
    const ids = seeded.map((r) => r.id);
    const account = (await api('POST', '/v1/accounts', { name: 'Big Co', contactIds: ids.slice(0, 1000) })).body;
    expect(account.contactCount).toBe(1000);
    const grown = await api('PATCH', `/v1/accounts/${account.id}`, { addContactIds: [ids[1000]] });
    expect([grown.status, grown.body.contactCount]).toEqual([200, 1001]);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await api('GET', `/v1/contacts?accountId=${account.id}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.body.items.map((c: { id: string }) => c.id));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual([...ids].sort());
    // v2 for every change, with the one contact linked; the deprecated v1 only while the account had up to 1,000.
    const events = await databaseQuery<{ subject: string; linked: number; count: number }>(
      `select subject, jsonb_array_length(envelope->'data'->'linkedContactIds') as linked, (envelope->'data'->>'contactCount')::int as count
      from contacts.outbox where envelope->'data'->>'accountId' = $1 order by created_at`,
      [account.id],
    );
    expect(events.map((e) => e.subject).sort()).toEqual([
      'events.contacts.account.changed.v1',
      'events.contacts.account.changed.v2',
      'events.contacts.account.changed.v2',
    ]);
    expect(events.filter((e) => e.subject.endsWith('v2')).map((e) => [e.linked, e.count])).toEqual([
      [1000, 1000],
      [1, 1001],
    ]);
  });

  it('refuses a v1 change of an account too large for a v1 answer before making it, and a deletion of it still reaches v1', async () => {
    const seeded = await databaseQuery<{ id: string }>(
      `insert into contacts.contact (workspace_id, email) select $1, 'huge-' || i || '@example.com' from generate_series(1, 20001) i returning id`,
      [workspace],
    );
    const account = (await api('POST', '/v1/accounts', { name: 'Huge Co' })).body;
    await databaseQuery('insert into contacts.contact_account (contact_id, account_id) select unnest($1::uuid[]), $2', [seeded.map((r) => r.id), account.id]);
    const context = { workspaceId: workspace, actor: { id: 'old-client' }, origin: 'integration' as const, correlationId: 'account-v1-huge' };
    await expect(archiveService.request(updateAccountV1, context, { id: account.id, name: 'Renamed' })).rejects.toMatchObject({
      code: 'REPLY_TOO_LARGE',
      message: expect.stringContaining('nothing was changed'),
    });
    expect((await api('GET', `/v1/accounts/${account.id}`)).body).toMatchObject({ name: 'Huge Co', contactCount: 20001 });
    expect((await api('DELETE', `/v1/accounts/${account.id}`)).status).toBe(200);
    const v1 = await databaseQuery<{ data: { change: string; contactIds: string[] } }>(
      `select envelope->'data' as data from contacts.outbox where subject = 'events.contacts.account.changed.v1' and envelope->'data'->>'accountId' = $1
      order by created_at`,
      [account.id],
    );
    expect(v1.map((e) => [e.data.change, e.data.contactIds])).toEqual([
      ['created', []],
      ['deleted', []],
    ]);
  });

  it('keeps a deal to 100 contacts', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 101; i += 1) ids.push((await contact(`crowd-${i}@example.com`)).id);
    const tooMany = await api('POST', '/v1/deals', { name: 'Crowd', contactIds: ids, primaryContactId: ids[0] });
    expect([tooMany.status, tooMany.body.code, tooMany.body.errors[0].path]).toEqual([422, 'VALIDATION_FAILED', 'contactIds']);
    const deal = (await api('POST', '/v1/deals', { name: 'Crowd', contactIds: ids.slice(0, 100), primaryContactId: ids[0] })).body;
    const over = await api('PATCH', `/v1/deals/${deal.id}`, { addContactIds: [ids[100]] });
    expect([over.status, over.body.code, over.body.errors[0].path]).toEqual([422, 'VALIDATION_FAILED', 'addContactIds']);
    expect((await api('GET', `/v1/deals/${deal.id}`)).body.contacts).toHaveLength(100);
    const swapped = await api('PATCH', `/v1/deals/${deal.id}`, { addContactIds: [ids[100]], removeContactIds: [ids[99]] });
    expect([swapped.status, swapped.body.contacts.length]).toEqual([200, 100]);
    // Past the cap, as a restore may leave a deal: a swap keeps it there, growing it is refused.
    await databaseQuery('insert into contacts.deal_contact (deal_id, contact_id) values ($1, $2)', [deal.id, ids[99]]);
    const extra = (await contact('crowd-extra@example.com')).id;
    const kept = await api('PATCH', `/v1/deals/${deal.id}`, { addContactIds: [extra], removeContactIds: [ids[98]] });
    expect([kept.status, kept.body.contacts?.length]).toEqual([200, 101]);
    const grown = await api('PATCH', `/v1/deals/${deal.id}`, { addContactIds: [ids[98]] });
    expect([grown.status, grown.body.code]).toEqual([422, 'VALIDATION_FAILED']);
  });

  it('merges a duplicate into the primary without losing an opt-out, and the duplicate is gone for good', async () => {
    const list = (await api('POST', '/v1/lists', { name: 'Merge list' })).body;
    const primary = await contact('merge-primary@example.com', { lists: [{ listId: list.id, status: 'subscribed' }], tags: ['a'] });
    const duplicate = await contact('merge-dup@example.com', {
      firstName: 'Dup',
      fields: { city: 'Rome' },
      lists: [{ listId: list.id, status: 'unsubscribed' }],
      tags: ['b'],
    });
    expect((await api('POST', '/v1/contacts/merge', { primaryId: primary.id, duplicateId: primary.id })).body.code).toBe('MERGE_SAME_CONTACT');
    // Deals where the duplicate is the primary contact, with the primary on it too or not.
    const both = (await api('POST', '/v1/deals', { name: 'Both on it', contactIds: [primary.id, duplicate.id], primaryContactId: duplicate.id })).body;
    const dupOnly = (await api('POST', '/v1/deals', { name: 'Duplicate only', contactIds: [duplicate.id], primaryContactId: duplicate.id })).body;
    const primaryLead = (await api('POST', '/v1/deals', { name: 'Primary leads', contactIds: [primary.id, duplicate.id], primaryContactId: primary.id })).body;

    const merged = await api('POST', '/v1/contacts/merge', { primaryId: primary.id, duplicateId: duplicate.id });
    expect(merged.status).toBe(200);
    for (const deal of [both, dupOnly, primaryLead]) {
      expect([deal.name, (await api('GET', `/v1/deals/${deal.id}`)).body.contacts]).toEqual([deal.name, [{ contactId: primary.id, isPrimary: true }]]);
    }
    expect(merged.body).toMatchObject({ email: 'merge-primary@example.com', firstName: 'Dup', fields: { city: 'Rome' }, tags: ['a', 'b'] });
    expect(merged.body.lists).toEqual([{ listId: list.id, status: 'unsubscribed' }]);
    expect((await api('GET', `/v1/contacts/${duplicate.id}`)).status).toBe(404);
    await tap.waitFor('events.contacts.contact.merged.v1', (d) => d.duplicateId === duplicate.id);

    // A merged contact can never come back.
    await expect(
      restore({
        contactId: duplicate.id,
        email: 'merge-dup@example.com',
        fields: {},
        createdAt: new Date().toISOString(),
        memberships: [],
        tags: [],
        accounts: [],
        deals: [],
      }),
    ).rejects.toMatchObject({ code: 'CONTACT_MERGED' });
  });

  it('archives a contact with its complete snapshot and restores it under the rules', async () => {
    const kept = (await api('POST', '/v1/lists', { name: 'Kept list' })).body;
    const doomed = (await api('POST', '/v1/lists', { name: 'Doomed list' })).body;
    const partner = await contact('partner@example.com');
    const c = await contact('archived@example.com', {
      firstName: 'Arch',
      fields: { tier: 'gold' },
      lists: [
        { listId: kept.id, status: 'unsubscribed' },
        { listId: doomed.id, status: 'subscribed' },
      ],
      tags: ['loyal'],
    });
    const account = (await api('POST', '/v1/accounts', { name: 'Globex', contactIds: [c.id] })).body;
    const solo = (await api('POST', '/v1/deals', { name: 'Solo deal', contactIds: [c.id], primaryContactId: c.id })).body;
    const shared = (await api('POST', '/v1/deals', { name: 'Shared deal', contactIds: [c.id, partner.id], primaryContactId: c.id })).body;
    const original = (await api('GET', `/v1/contacts/${c.id}`)).body;

    const archived = await api('POST', `/v1/contacts/${c.id}/archive`, { reason: 'inactive for 2 years' });
    expect(archived.status).toBe(200);
    expect((await api('GET', `/v1/contacts/${c.id}`)).status).toBe(404);
    // The solo deal went with the contact; the shared one lost it and got a new primary.
    expect((await api('GET', `/v1/deals/${solo.id}`)).status).toBe(404);
    expect((await api('GET', `/v1/deals/${shared.id}`)).body.contacts).toEqual([{ contactId: partner.id, isPrimary: true }]);

    const event = await tap.waitFor('events.contacts.contact.archived.v1', (d) => (d.snapshot as ContactSnapshot).contactId === c.id);
    const snapshot = event.envelope.data.snapshot as ContactSnapshot;
    expect(event.envelope.data.reason).toBe('inactive for 2 years');
    expect(snapshot).toMatchObject({ email: 'archived@example.com', firstName: 'Arch', fields: { tier: 'gold' }, createdAt: original.createdAt });
    expect(snapshot.memberships.map((m) => [m.listName, m.status]).sort()).toEqual([
      ['Doomed list', 'subscribed'],
      ['Kept list', 'unsubscribed'],
    ]);
    expect(snapshot.tags.map((t) => t.name)).toEqual(['loyal']);
    expect(snapshot.accounts).toEqual([{ accountId: account.id, name: 'Globex' }]);
    expect(snapshot.deals.map((d) => [d.name, d.wasPrimary, d.deletedWithContact]).sort()).toEqual([
      ['Shared deal', true, false],
      ['Solo deal', true, true],
    ]);

    await api('DELETE', `/v1/lists/${doomed.id}`);
    const outcome = await restore(snapshot);
    expect(outcome.contact).toMatchObject({ id: c.id, email: 'archived@example.com', createdAt: original.createdAt, tags: ['loyal'] });
    expect(outcome.contact.lists).toEqual([{ listId: kept.id, status: 'unsubscribed' }]);
    expect(outcome.skipped.sort()).toEqual([`deal:${solo.id}`, `list:${doomed.id}`]);
    // Back on the shared deal, but never as its primary.
    expect((await api('GET', `/v1/deals/${shared.id}`)).body.contacts).toEqual([
      { contactId: partner.id, isPrimary: true },
      { contactId: c.id, isPrimary: false },
    ]);
    expect((await api('GET', `/v1/contacts?accountId=${account.id}`)).body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
    const restored = await tap.waitFor('events.contacts.contact.restored.v1', (d) => d.contactId === c.id);
    expect(restored.envelope.origin).toBe('restore');

    await expect(restore(snapshot)).rejects.toMatchObject({ code: 'CONTACT_EXISTS' });
  });

  it('refuses to restore a contact whose email a live contact took meanwhile', async () => {
    const c = await contact('taken@example.com');
    const { body } = await api('POST', `/v1/contacts/${c.id}/archive`, {});
    await contact('TAKEN@example.com');
    await expect(restore(body.snapshot)).rejects.toMatchObject({ code: 'EMAIL_IN_USE' });
  });

  it('still answers the deprecated batch restore (v1) with an outcome per contact', async () => {
    const a = await contact('v1-a@example.com', { tags: ['v1'] });
    const b = await contact('v1-b@example.com');
    const snapA = (await api('POST', `/v1/contacts/${a.id}/archive`, {})).body.snapshot;
    const snapB = (await api('POST', `/v1/contacts/${b.id}/archive`, {})).body.snapshot;
    await contact('v1-b@example.com');
    const outcomes = await archiveService.request(
      restoreContactsV1,
      { workspaceId: workspace, actor: { id: 'archive' }, origin: 'restore', correlationId: 'restore-v1' },
      { snapshots: [snapA, snapB] },
    );
    expect(outcomes).toEqual(
      expect.arrayContaining([{ contactId: a.id, ok: true, skipped: [] }, expect.objectContaining({ contactId: b.id, ok: false, code: 'EMAIL_IN_USE' })]),
    );
    expect(outcomes).toHaveLength(2);
    expect((await api('GET', `/v1/contacts/${a.id}`)).body).toMatchObject({ email: 'v1-a@example.com', tags: ['v1'] });
  });
});

describe('bulk archive', () => {
  const system = new TestSystem(['contacts']);
  const workspace = uniqueWorkspace('bulk');
  const tap = new EventTap(workspace);

  beforeAll(() => Promise.all([system.start(), tap.start()]));
  afterAll(() => Promise.all([system.stop(), tap.stop()]));

  it('archives every contact matching the filter as a job, one snapshot event each', async () => {
    const api = system.client(system.token({ workspace }));
    const list = (await api('POST', '/v1/lists', { name: 'Old customers' })).body;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(
        (await api('POST', '/v1/contacts', { email: `old-${i}@example.com`, tags: i < 3 ? ['stale'] : [], lists: [{ listId: list.id, status: 'subscribed' }] }))
          .body.id,
      );
    }
    const keep = (await api('POST', '/v1/contacts', { email: 'keep@example.com', tags: ['stale'] })).body;

    expect((await api('POST', '/v1/contacts/archive', {})).body.code).toBe('VALIDATION_FAILED');
    const started = await api('POST', '/v1/contacts/archive', { listId: list.id, tag: 'stale', reason: 'cleanup' }, { 'idempotency-key': 'bulk-1' });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/v1/jobs/${started.body.id}`);
    const job = await waitFor(
      async () => {
        const j = (await api('GET', `/v1/jobs/${started.body.id}`)).body;
        return j.status === 'succeeded' ? j : null;
      },
      { timeoutMs: 20_000, what: 'the bulk archive' },
    );
    expect(job).toMatchObject({ kind: 'archive-bulk', result: { archived: 3, matched: 3 }, progress: { done: 3, total: 3 } });

    const remaining = (await api('GET', `/v1/contacts?listId=${list.id}`)).body.items.map((c: { id: string }) => c.id).sort();
    expect(remaining).toEqual(ids.slice(3).sort());
    expect((await api('GET', `/v1/contacts/${keep.id}`)).status).toBe(200);
    await waitFor(() => tap.of('events.contacts.contact.archived.v1').length >= 3, { what: 'three archived events' });
    expect(
      tap
        .of('events.contacts.contact.archived.v1')
        .map((e) => (e.envelope.data.snapshot as ContactSnapshot).contactId)
        .sort(),
    ).toEqual(ids.slice(0, 3).sort());

    const again = await api('POST', '/v1/contacts/archive', { listId: list.id, tag: 'stale', reason: 'cleanup' }, { 'idempotency-key': 'bulk-1' });
    expect(again.body.id).toBe(started.body.id);
  });
});
