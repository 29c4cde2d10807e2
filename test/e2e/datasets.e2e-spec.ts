import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { exportContactsDatasetV1, type ExportContactsDatasetV1 } from '@custodian/contracts';
import type { CommandClient } from '@custodian/messaging';
import { ObjectStorage, objectKey, parseStorageConfig } from '@custodian/storage';
import { EventTap, stackEnv, TestSystem, uniqueWorkspace } from '@custodian/testing';

describe('contacts datasets for exports', () => {
  const system = new TestSystem(['contacts']);
  const workspace = uniqueWorkspace('ds');
  const tap = new EventTap(workspace);
  const storage = new ObjectStorage(parseStorageConfig(stackEnv()));
  let exportsService: CommandClient;

  beforeAll(async () => {
    await Promise.all([system.start(), tap.start()]);
    exportsService = system.commandClient('exports');
  });
  afterAll(async () => {
    await Promise.all([system.stop(), tap.stop()]);
  });

  const request = (data: ExportContactsDatasetV1) =>
    exportsService.request(exportContactsDatasetV1, { workspaceId: workspace, actor: { id: 'exports' }, origin: 'system', correlationId: randomUUID() }, data);

  async function exported(exportId: string) {
    const event = await tap.waitFor('events.contacts.dataset.exported.v1', (d) => d.exportId === exportId, 20_000);
    const body = await storage.download('exports', event.envelope.data.key as string);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return { data: event.envelope.data, bytes: Buffer.concat(chunks) };
  }

  it('streams the contacts with fields, tags and list statuses, formula-safe, in the asked time zone', async () => {
    const api = system.client(system.token({ workspace }));
    const list = (await api('POST', '/v1/lists', { name: 'VIP' })).body;
    await api('POST', '/v1/contacts', {
      email: 'ds-a@example.com',
      firstName: '=HYPERLINK("x")',
      fields: { city: 'Madrid' },
      tags: ['b', 'a'],
      lists: [{ listId: list.id, status: 'unsubscribed' }],
    });
    await api('POST', '/v1/contacts', { email: 'ds-b@example.com', lastName: 'Plain' });

    const exportId = randomUUID();
    const key = objectKey(workspace, 'exports', exportId, 'csv');
    const job = await request({ exportId, key, timeZone: 'Asia/Tokyo' });
    expect(job.kind).toBe('dataset-export');
    const { data, bytes } = await exported(exportId);
    const lines = bytes.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('id,email,firstName,lastName,createdAt,updatedAt,tags,lists,fields.city');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`ds-a@example.com,"'=HYPERLINK(""x"")",,`);
    expect(lines[1]).toMatch(/\+09,/);
    expect(lines[1]).toContain('a;b,VIP:unsubscribed,Madrid');
    expect(data).toMatchObject({ rows: 2, bytes: bytes.length });

    // Same exportId: the same job, not a second file.
    expect((await request({ exportId, key, timeZone: 'Asia/Tokyo' })).id).toBe(job.id);
  });

  it('exports one list, chosen fields, with ; and gzip', async () => {
    const api = system.client(system.token({ workspace }));
    const list = (await api('POST', '/v1/lists', { name: 'Small' })).body;
    await api('POST', '/v1/contacts', { email: 'ds-c@example.com', lists: [{ listId: list.id, status: 'subscribed' }] });
    const exportId = randomUUID();
    await request({
      exportId,
      key: objectKey(workspace, 'exports', exportId, 'csv.gz'),
      listId: list.id,
      fields: ['email', 'lists'],
      delimiter: ';',
      compression: 'gzip',
    });
    const { bytes } = await exported(exportId);
    expect(gunzipSync(bytes).toString('utf8')).toBe('email;lists\nds-c@example.com;Small:subscribed\n');
  });

  it('refuses unknown fields and keys outside the workspace at once', async () => {
    const exportId = randomUUID();
    await expect(request({ exportId, key: objectKey(workspace, 'exports', exportId, 'csv'), fields: ['email', 'phone'] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(request({ exportId, key: objectKey('someone-else', 'exports', exportId, 'csv') })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
