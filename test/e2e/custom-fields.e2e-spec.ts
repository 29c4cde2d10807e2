import { endedJob, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';

type Api = ReturnType<TestSystem['client']>;

describe('custom fields through the gateway', () => {
  const system = new TestSystem(['contacts', 'backups'], { CONTACTS_FIELD_LIMIT: '6' });

  beforeAll(() => system.start());
  afterAll(() => system.stop());

  const adminOf = (workspace: string) => system.client(system.token({ workspace, role: 'admin', client: 'app', plan: 'pro' }));

  async function backupOf(api: Api, listId: string) {
    return waitFor(
      async () => {
        const items = (await api('GET', `/v1/backups?listId=${listId}`)).body.items;
        return items[0] ?? null;
      },
      { timeoutMs: 15_000, what: `a backup of list ${listId}` },
    );
  }

  it('City and city are one field: the second spelling lands in the first, and the list backup restores', async () => {
    const api = adminOf(uniqueWorkspace('fields'));
    const list = (await api('POST', '/v1/lists', { name: 'Cities' })).body;
    const rome = (
      await api('POST', '/v1/contacts', { email: 'rome@example.com', fields: { City: 'Rome' }, lists: [{ listId: list.id, status: 'subscribed' }] })
    ).body;
    const paris = await api('POST', '/v1/contacts', {
      email: 'paris@example.com',
      fields: { city: 'Paris' },
      lists: [{ listId: list.id, status: 'unsubscribed' }],
    });
    expect(paris.status).toBe(201);
    expect(paris.body.fields).toEqual({ City: 'Paris' });
    expect((await api('PATCH', `/v1/contacts/${rome.id}`, { fields: { CITY: 'Roma' } })).body.fields).toEqual({ City: 'Roma' });
    expect((await api('GET', '/v1/fields')).body.items).toEqual([{ name: 'City', type: 'text', createdAt: expect.any(String) }]);

    const deleted = await api('DELETE', `/v1/lists/${list.id}`);
    expect(deleted.status).toBe(200);
    const backup = await backupOf(api, list.id);
    const restore = await api('POST', `/v1/backups/${backup.id}/restore`, {});
    expect(restore.status).toBe(202);
    const job = await endedJob(api, restore.body.id);
    expect(job).toMatchObject({ status: 'succeeded' });
    const members = (await api('GET', `/v1/lists/${restore.body.listId}/members`)).body.items as { email: string; status: string }[];
    expect(Object.fromEntries(members.map((m) => [m.email, m.status]))).toEqual({ 'rome@example.com': 'subscribed', 'paris@example.com': 'unsubscribed' });
    expect((await api('GET', `/v1/contacts/${paris.body.id}`)).body.fields).toEqual({ City: 'Paris' });
  });

  it('refuses fields that would make contacts unreadable or backups unrestorable, with the field named; the contacts stay readable', async () => {
    const api = adminOf(uniqueWorkspace('fields'));
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['a 300 KB value', { notes: 'x'.repeat(300_000) }, /^the custom fields take 300005 bytes together/],
      ['a value over 4,000 characters', { notes: 'x'.repeat(4_001) }, /^field notes is longer than 4000 characters/],
      ['a name over 64 characters', { ['n'.repeat(65)]: '1' }, /is longer than 64 characters/],
      ['a name with a line break', { 'two\nlines': '1' }, /must start with a letter/],
      ['a built-in column name', { Email: 'x@example.com' }, /built-in column/],
      ['two spellings of one name', { Plan: 'gold', plan: 'silver' }, /"Plan" and "plan" name the same field/],
      ['a value that is not a string', { age: 42 }, /must be a string/],
    ];
    for (const [what, fields, message] of cases) {
      const res = await api('POST', '/v1/contacts', { email: `refused-${cases.findIndex((c) => c[0] === what)}@example.com`, fields });
      expect([what, res.status, res.body.code]).toEqual([what, 422, 'VALIDATION_FAILED']);
      expect([what, res.body.detail ?? res.body.message]).toEqual([what, expect.stringMatching(message)]);
    }
    const typed = await api('POST', '/v1/fields', { name: 'Score', type: 'number' });
    expect(typed.status).toBe(201);
    expect((await api('POST', '/v1/contacts', { email: 'typed@example.com', fields: { score: 'high' } })).status).toBe(422);
    expect((await api('POST', '/v1/contacts', { email: 'typed@example.com', fields: { score: '12.5' } })).body.fields).toEqual({ Score: '12.5' });
    expect((await api('POST', '/v1/fields', { name: 'SCORE' })).body.code).toBe('FIELD_NAME_TAKEN');
    const page = await api('GET', '/v1/contacts');
    expect([page.status, page.body.items.map((c: { email: string }) => c.email)]).toEqual([200, ['typed@example.com']]);
    expect((await api('GET', '/v1/fields')).body.items.map((f: { name: string }) => f.name)).toEqual(['Score']);
  });

  it("keeps to the workspace's field limit, and deletes a field (with its values only when asked, by an owner or admin)", async () => {
    const workspace = uniqueWorkspace('fields');
    const api = adminOf(workspace);
    for (const name of ['f1', 'f2', 'f3', 'f4', 'f5']) expect((await api('POST', '/v1/fields', { name })).status).toBe(201);
    const held = await api('POST', '/v1/contacts', { email: 'held@example.com', fields: { f6: 'six' } });
    expect(held.status).toBe(201);
    const over = await api('POST', '/v1/contacts', { email: 'over@example.com', fields: { f7: 'seven' } });
    expect([over.status, over.body.code]).toEqual([409, 'FIELD_LIMIT_REACHED']);
    expect((await api('POST', '/v1/fields', { name: 'f7' })).body.code).toBe('FIELD_LIMIT_REACHED');
    expect((await api('GET', '/v1/contacts?email=over@example.com')).body.items).toEqual([]);

    expect((await api('DELETE', '/v1/fields/F6')).body.code).toBe('FIELD_IN_USE');
    const manager = system.client(system.token({ workspace, role: 'manager', plan: 'pro' }));
    expect((await manager('DELETE', '/v1/fields/f6?removeValues=true')).status).toBe(403);
    expect((await manager('DELETE', '/v1/fields/f6?removeValues=yes')).status).toBe(422);
    expect((await api('DELETE', '/v1/fields/f6?removeValues=true')).body).toEqual({ deleted: true, valuesRemoved: 1 });
    expect((await api('GET', `/v1/contacts/${held.body.id}`)).body.fields).toEqual({});
    expect((await manager('DELETE', '/v1/fields/f5')).body).toEqual({ deleted: true, valuesRemoved: 0 });
    expect((await api('DELETE', '/v1/fields/f5')).status).toBe(404);
    expect((await api('POST', '/v1/contacts', { email: 'over@example.com', fields: { f7: 'seven' } })).status).toBe(201);
  });
});
