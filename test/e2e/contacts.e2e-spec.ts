import { TestSystem, uniqueWorkspace } from '@custodian/testing';

describe('contacts through the gateway', () => {
  const system = new TestSystem(['contacts']);
  const workspace = uniqueWorkspace();
  let api: ReturnType<TestSystem['client']>;

  beforeAll(async () => {
    await system.start();
    api = system.client(system.token({ workspace }));
  });
  afterAll(() => system.stop());

  it('creates a contact and reads it back by id and by email filter', async () => {
    const created = await api('POST', '/v1/contacts', { email: 'Ada@Example.com', firstName: 'Ada', fields: { city: 'London' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'Ada@Example.com', firstName: 'Ada', fields: { city: 'London' }, lists: [], tags: [] });

    const byId = await api('GET', `/v1/contacts/${created.body.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body.id).toBe(created.body.id);

    const byEmail = await api('GET', '/v1/contacts?email=ada@example.COM');
    expect(byEmail.body.items.map((c: { id: string }) => c.id)).toEqual([created.body.id]);
  });

  it('refuses a second contact with the same email in another case', async () => {
    await api('POST', '/v1/contacts', { email: 'dup@example.com' });
    const again = await api('POST', '/v1/contacts', { email: 'DUP@example.com' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(again.body.code).toBe('EMAIL_TAKEN');
  });

  it('answers bad input with a specific problem', async () => {
    const invalid = await api('POST', '/v1/contacts', { email: 'not-an-email', unknown: true });
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'unknown']);

    const malformed = await api('POST', '/v1/contacts', '{"email": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_JSON');

    const wrongType = await api('POST', '/v1/contacts', 'email=a@b.c', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(wrongType.status).toBe(415);

    const tooBig = await api('POST', '/v1/contacts', { email: 'big@example.com', fields: { blob: 'x'.repeat(2_000_000) } });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('requires a valid token', async () => {
    const res = await fetch(`${system.gatewayUrl}/v1/contacts`, { headers: { authorization: 'Bearer nonsense' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
  });

  it('never shows one workspace the contacts of another', async () => {
    const mine = await api('POST', '/v1/contacts', { email: 'private@example.com' });
    const other = system.client(system.token({ workspace: uniqueWorkspace('other') }));
    expect((await other('GET', `/v1/contacts/${mine.body.id}`)).status).toBe(404);
    expect((await other('GET', '/v1/contacts?email=private@example.com')).body.items).toEqual([]);
  });

  it('never lets one workspace change anything of another, by id or by filter', async () => {
    const list = (await api('POST', '/v1/lists', { name: 'Private list' })).body;
    const mine = (
      await api('POST', '/v1/contacts', { email: 'untouchable@example.com', firstName: 'Mine', lists: [{ listId: list.id, status: 'subscribed' }] })
    ).body;
    const importJob = await api('POST', '/v1/contacts/archive', { emails: ['nobody-here@example.com'] });
    const other = system.client(system.token({ workspace: uniqueWorkspace('intruder') }));
    const theirs = (await other('POST', '/v1/contacts', { email: 'intruder@example.com' })).body;

    const attempts = await Promise.all([
      other('PATCH', `/v1/contacts/${mine.id}`, { firstName: 'Hacked' }),
      other('DELETE', `/v1/contacts/${mine.id}`),
      other('POST', `/v1/contacts/${mine.id}/tags`, { add: ['pwned'] }),
      other('POST', `/v1/contacts/${mine.id}/archive`, {}),
      other('POST', '/v1/contacts/merge', { primaryId: theirs.id, duplicateId: mine.id }),
      other('GET', `/v1/lists/${list.id}`),
      other('GET', `/v1/lists/${list.id}/members`),
      other('PUT', `/v1/lists/${list.id}/members`, { members: [{ contactId: mine.id, status: 'unsubscribed' }] }),
      other('DELETE', `/v1/lists/${list.id}`),
      other('POST', '/v1/imports', { listId: list.id, mode: 'upsert', objectKey: `${workspace}/imports/2026/01/01/x.csv` }),
      other('GET', `/v1/jobs/${importJob.body.id}`),
    ]);
    expect(attempts.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 404, 404, 422, 404]);

    // Filters of the other workspace see nothing of this one, and the bulk archive touched nothing here.
    expect((await other('GET', `/v1/contacts?listId=${list.id}`)).body.items).toEqual([]);
    expect((await other('GET', '/v1/contacts?email=untouchable@example.com')).body.items).toEqual([]);
    const after = (await api('GET', `/v1/contacts/${mine.id}`)).body;
    expect(after).toMatchObject({ firstName: 'Mine', tags: [], lists: [{ listId: list.id, status: 'subscribed' }] });
  });

  it('exposes health, readiness and Prometheus metrics on every service', async () => {
    await api('GET', '/v1/contacts?limit=1');
    const gatewayMetrics = await (await fetch(`${system.gatewayUrl}/metrics`)).text();
    expect(gatewayMetrics).toMatch(/custodian_http_requests_total\{method="GET",route="\/v1\/contacts",status="200"\} \d+/);
    const contactsPort = system.service('contacts').httpPort;
    const contactsMetrics = await (await fetch(`http://127.0.0.1:${contactsPort}/metrics`)).text();
    expect(contactsMetrics).toMatch(/custodian_commands_total\{subject="contacts.contact.list.v1",outcome="ok"\} \d+/);
    expect(contactsMetrics).toMatch(/custodian_events_published_total\{subject="events.contacts.contact.created.v1"\} \d+/);
    const ready = (await (await fetch(`http://127.0.0.1:${contactsPort}/health/ready`)).json()) as { checks: Record<string, string> };
    expect(ready.checks).toEqual({ database: 'ok', nats: 'ok', storage: 'ok' });
  });

  it('describes the API in OpenAPI, with the request bodies of the contracts', async () => {
    const doc = (await (await fetch(`${system.gatewayUrl}/docs/json`)).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> } }>
      >;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    const create = doc.paths['/v1/contacts']!.post!.requestBody!.content['application/json']!.schema;
    expect(create.required).toEqual(['email']);
    expect(Object.keys(create.properties)).toEqual(expect.arrayContaining(['email', 'firstName', 'fields', 'lists', 'tags']));
    const update = doc.paths['/v1/contacts/{id}']!.patch!.requestBody!.content['application/json']!.schema;
    expect(update.properties).not.toHaveProperty('id');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/lists/{id}/members', '/v1/imports', '/v1/jobs/{id}', '/v1/deals', '/v1/accounts', '/v1/tags']),
    );
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
    expect((await fetch(`${system.gatewayUrl}/docs`)).status).toBe(200);
  });
});
