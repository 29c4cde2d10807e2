import { EventTap, TestSystem, uniqueWorkspace } from '@custodian/testing';

describe('lists, memberships and tags through the gateway', () => {
  const system = new TestSystem(['contacts']);
  const workspace = uniqueWorkspace();
  const tap = new EventTap(workspace);
  let api: ReturnType<TestSystem['client']>;

  beforeAll(async () => {
    await Promise.all([system.start(), tap.start()]);
    api = system.client(system.token({ workspace, client: 'api', sub: 'user-7' }));
  });
  afterAll(async () => {
    await Promise.all([system.stop(), tap.stop()]);
  });

  it('manages a list and the status of its members, with an event for every change', async () => {
    const list = await api('POST', '/v1/lists', { name: 'Newsletter' });
    expect(list.status).toBe(201);
    expect((await api('POST', '/v1/lists', { name: 'NEWSLETTER' })).body.code).toBe('LIST_NAME_TAKEN');

    const ada = await api('POST', '/v1/contacts', { email: 'ada@example.com', lists: [{ listId: list.body.id, status: 'subscribed' }] });
    const bob = await api('POST', '/v1/contacts', { email: 'bob@example.com' });
    const set = await api('PUT', `/v1/lists/${list.body.id}/members`, {
      members: [
        { contactId: bob.body.id, status: 'unconfirmed' },
        { contactId: ada.body.id, status: 'unsubscribed' },
      ],
    });
    expect(set.body).toEqual({ changed: 2 });

    const members = await api('GET', `/v1/lists/${list.body.id}/members`);
    expect(members.body.items.map((m: { email: string; status: string }) => [m.email, m.status]).sort()).toEqual([
      ['ada@example.com', 'unsubscribed'],
      ['bob@example.com', 'unconfirmed'],
    ]);
    const subscribedOnly = await api('GET', `/v1/lists/${list.body.id}/members?status=unsubscribed`);
    expect(subscribedOnly.body.items.map((m: { email: string }) => m.email)).toEqual(['ada@example.com']);
    expect((await api('GET', `/v1/contacts?listId=${list.body.id}`)).body.items).toHaveLength(2);

    const changed = await tap.waitFor('events.contacts.membership.changed.v1', (d) => d.contactId === ada.body.id && d.status === 'unsubscribed');
    expect(changed.envelope).toMatchObject({ origin: 'api', actor: { id: 'user-7' }, data: { previousStatus: 'subscribed' } });

    const unknown = await api('PUT', `/v1/lists/${list.body.id}/members`, {
      members: [{ contactId: '00000000-0000-4000-8000-000000000000', status: 'subscribed' }],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].path).toBe('members.0.contactId');

    const deleted = await api('DELETE', `/v1/lists/${list.body.id}`);
    expect(deleted.status).toBe(200);
    expect((await api('GET', `/v1/lists/${list.body.id}`)).status).toBe(404);
    // The contacts stay; their memberships go.
    expect((await api('GET', `/v1/contacts/${ada.body.id}`)).body.lists).toEqual([]);
    const event = await tap.waitFor('events.contacts.list.deleted.v1', (d) => d.listId === list.body.id);
    expect(event.envelope.data).toMatchObject({ name: 'Newsletter', memberCount: 2 });
  });

  it('never subscribes again a member who unsubscribed or bounced, unless an owner or admin records the consent', async () => {
    const owner = system.client(system.token({ workspace, role: 'owner' }));
    const manager = system.client(system.token({ workspace, role: 'manager' }));
    const list = (await owner('POST', '/v1/lists', { name: 'Opt-outs' })).body;
    const ann = (await owner('POST', '/v1/contacts', { email: 'ann-optout@example.com', lists: [{ listId: list.id, status: 'unsubscribed' }] })).body;
    const ben = (await owner('POST', '/v1/contacts', { email: 'ben-optout@example.com', lists: [{ listId: list.id, status: 'bounced' }] })).body;
    const cy = (await owner('POST', '/v1/contacts', { email: 'cy-optout@example.com', lists: [{ listId: list.id, status: 'subscribed' }] })).body;
    const statuses = async () =>
      Object.fromEntries(
        ((await owner('GET', `/v1/lists/${list.id}/members`)).body.items as { email: string; status: string }[]).map((m) => [m.email, m.status]),
      );
    const before = await statuses();

    // Any role, without consent: refused whole, naming each protected member; nothing changes (not even the allowed change).
    for (const caller of [manager, owner]) {
      const refused = await caller('PUT', `/v1/lists/${list.id}/members`, {
        members: [
          { contactId: cy.id, status: 'unconfirmed' },
          { contactId: ann.id, status: 'subscribed' },
          { contactId: ben.id, status: 'unconfirmed' },
        ],
      });
      expect([refused.status, refused.body.code, refused.body.errors.map((e: { path: string }) => e.path)]).toEqual([
        409,
        'OPT_OUT_PROTECTED',
        ['members.1.status', 'members.2.status'],
      ]);
    }
    // Unsubscribing and subscribing again in one request is a reactivation too.
    const roundTrip = await manager('PUT', `/v1/lists/${list.id}/members`, {
      members: [
        { contactId: cy.id, status: 'unsubscribed' },
        { contactId: cy.id, status: 'subscribed' },
      ],
    });
    expect([roundTrip.status, roundTrip.body.code]).toEqual([409, 'OPT_OUT_PROTECTED']);
    // Consent is for owners and admins only.
    const managerConsent = await manager('PUT', `/v1/lists/${list.id}/members`, {
      members: [{ contactId: ann.id, status: 'subscribed' }],
      consent: 'asked by phone',
    });
    expect([managerConsent.status, managerConsent.body.code]).toEqual([409, 'OPT_OUT_PROTECTED']);
    expect(await statuses()).toEqual(before);

    const consented = await owner('PUT', `/v1/lists/${list.id}/members`, {
      members: [{ contactId: ann.id, status: 'subscribed' }],
      consent: 'signed up again on the website form, 2026-12-01',
    });
    expect(consented.body).toEqual({ changed: 1 });
    expect((await statuses())['ann-optout@example.com']).toBe('subscribed');
    const audit = await tap.waitFor('events.contacts.membership.changed.v1', (d) => d.contactId === ann.id && d.status === 'subscribed');
    expect(audit.envelope.data).toMatchObject({ previousStatus: 'unsubscribed', consent: 'signed up again on the website form, 2026-12-01' });
  });

  it('tags contacts by name and updates only what was given', async () => {
    const c = await api('POST', '/v1/contacts', { email: 'tagged@example.com', firstName: 'T', fields: { city: 'Oslo', plan: 'gold' } });
    const tagged = await api('POST', `/v1/contacts/${c.body.id}/tags`, { add: ['VIP', 'beta'] });
    expect(tagged.body.tags).toEqual(['beta', 'VIP']);
    expect((await api('GET', '/v1/contacts?tag=vip')).body.items.map((x: { id: string }) => x.id)).toEqual([c.body.id]);

    const updated = await api('PATCH', `/v1/contacts/${c.body.id}`, { lastName: 'Tester', fields: { city: 'Bergen', plan: '' } });
    expect(updated.body).toMatchObject({ firstName: 'T', lastName: 'Tester', fields: { city: 'Bergen' } });
    const event = await tap.waitFor('events.contacts.contact.updated.v1', (d) => d.contactId === c.body.id && (d.changed as string[]).includes('lastName'));
    expect((event.envelope.data.changed as string[]).sort()).toEqual(['fields.city', 'fields.plan', 'lastName']);

    const tags = await api('GET', '/v1/tags');
    const vip = tags.body.items.find((t: { name: string }) => t.name === 'VIP');
    expect(vip.contactCount).toBe(1);
    expect((await api('DELETE', `/v1/tags/${vip.id}`)).status).toBe(200);
    expect((await api('GET', `/v1/contacts/${c.body.id}`)).body.tags).toEqual(['beta']);

    expect((await api('DELETE', `/v1/contacts/${c.body.id}`)).status).toBe(200);
    expect((await api('GET', `/v1/contacts/${c.body.id}`)).status).toBe(404);
    await tap.waitFor('events.contacts.contact.deleted.v1', (d) => d.contactId === c.body.id);
  });

  it('pages through contacts with an opaque cursor', async () => {
    const ws = uniqueWorkspace('pages');
    const own = system.client(system.token({ workspace: ws }));
    for (let i = 0; i < 5; i += 1) await own('POST', '/v1/contacts', { email: `p${i}@example.com` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof own>> = await own('GET', `/v1/contacts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items.map((x: { email: string }) => x.email));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(['p0@example.com', 'p1@example.com', 'p2@example.com', 'p3@example.com', 'p4@example.com']);
    expect((await own('GET', '/v1/contacts?cursor=garbage')).body.code).toBe('VALIDATION_FAILED');
    expect((await own('GET', '/v1/contacts?limit=-1')).status).toBe(422);
  });
});
