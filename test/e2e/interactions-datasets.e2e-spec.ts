import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { parse } from 'csv-parse/sync';
import { exportInteractionsDatasetV1, type ExportInteractionsDatasetV1 } from '@custodian/contracts';
import type { CommandClient } from '@custodian/messaging';
import { ObjectStorage, objectKey, parseStorageConfig } from '@custodian/storage';
import { databaseQuery, EventTap, stackEnv, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';

describe('conversations, messages and the interactions datasets for exports', () => {
  // Data of a program stopped 2 s without activity expires (the users dataset must leave it out).
  const system = new TestSystem(['interactions'], { INTERACTIONS_EXPIRE_AFTER: '2s', INTERACTIONS_SWEEP_INTERVAL: '250ms' });
  const workspace = uniqueWorkspace('ids');
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

  // Sent as given, incomplete requests too: what the service refuses is under test.
  const request = (data: Record<string, unknown>, ws = workspace) =>
    exportsService.request(
      exportInteractionsDatasetV1,
      { workspaceId: ws, actor: { id: 'exports' }, origin: 'system', correlationId: randomUUID() },
      data as unknown as ExportInteractionsDatasetV1,
    );

  async function exported(data: Record<string, unknown>): Promise<{ rows: number; sha256: string; records: Record<string, string>[]; text: string }> {
    const exportId = randomUUID();
    await request({ exportId, key: objectKey(workspace, 'exports', exportId, 'csv'), ...data });
    const event = await tap.waitFor('events.interactions.dataset.exported.v1', (d) => d.exportId === exportId, 20_000);
    const text = (await storage.readSmall('exports', event.envelope.data.key as string, 16 * 1024 * 1024)).toString('utf8');
    return { rows: event.envelope.data.rows as number, sha256: event.envelope.data.sha256 as string, records: parse(text, { columns: true }), text };
  }

  const message = (over: object) => ({
    messageId: randomUUID(),
    contactId: randomUUID(),
    channel: 'whatsapp',
    direction: 'outbound',
    status: 'sent',
    at: '2026-06-01T10:00:00.000Z',
    statusAt: '2026-06-01T10:00:01.000Z',
    ...over,
  });

  it('keeps the latest version of each message and conversation, from the API and JetStream, and exports messages, failed messages and conversations', async () => {
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const conversationId = randomUUID();
    const contactId = randomUUID();
    const delivered = message({ conversationId, contactId, status: 'delivered', text: '=HYPERLINK("http://x")', statusAt: '2026-06-01T10:00:05.000Z' });
    const failed = message({ contactId, status: 'failed', failureReason: 'recipient is not on WhatsApp', text: '+49 30 1234', at: '2026-06-02T23:30:00.000Z' });
    const inbound = message({
      conversationId,
      contactId,
      direction: 'inbound',
      status: 'received',
      text: 'Hola, ¿dónde está mi pedido?',
      at: '2026-06-01T09:59:00.000Z',
    });
    const failedOutOfRange = message({ status: 'failed', at: '2025-12-31T23:00:00.000Z' });
    const failedInbound = message({ direction: 'inbound', status: 'failed', at: '2026-06-03T00:00:00.000Z' });
    const conversation = {
      conversationId,
      contactId,
      channel: 'whatsapp',
      status: 'open',
      openedAt: '2026-06-01T09:59:00.000Z',
      updatedAt: '2026-06-01T09:59:00.000Z',
    };
    const first = await api('POST', '/v1/interactions', {
      messages: [delivered, failed, inbound, failedOutOfRange, failedInbound],
      conversations: [conversation],
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ received: 0, stored: 0, conversations: { received: 1, stored: 1 }, messages: { received: 5, stored: 5 } });
    // An older version (sent, before it was delivered) changes nothing; a replay neither; a newer one does.
    const older = { ...delivered, status: 'sent', statusAt: '2026-06-01T10:00:01.000Z' };
    const closed = { ...conversation, status: 'closed', assignee: 'agent-7', closedAt: '2026-06-01T11:00:00.000Z', updatedAt: '2026-06-01T11:00:00.000Z' };
    expect((await api('POST', '/v1/interactions', { messages: [older, failed], conversations: [closed, conversation] })).body).toMatchObject({
      conversations: { received: 2, stored: 1 },
      messages: { received: 2, stored: 0 },
    });
    expect((await api('POST', '/v1/interactions', {})).body.code).toBe('VALIDATION_FAILED');

    // From JetStream: a status change and a new message, each published twice (past JetStream's de-duplication).
    const read = { ...delivered, status: 'read', statusAt: '2026-06-01T10:30:00.000Z' };
    const late = message({ contactId, conversationId, text: 'Tu pedido llega mañana', at: '2026-06-01T10:31:00.000Z', statusAt: '2026-06-01T10:31:00.000Z' });
    const nc = await connect({ servers: stackEnv().NATS_SERVERS.split(',') });
    try {
      const js = jetstream(nc);
      for (const data of [read, late, read, late]) {
        const id = randomUUID();
        await js.publish(
          'events.messaging.message.recorded.v1',
          JSON.stringify({
            id,
            type: 'messaging.message.recorded',
            version: 1,
            occurredAt: new Date().toISOString(),
            workspaceId: workspace,
            actor: { id: 'whatsapp-channel' },
            origin: 'integration',
            correlationId: id,
            data,
          }),
          { msgID: id },
        );
      }
    } finally {
      await nc.close();
    }
    const stored = () =>
      databaseQuery<{ id: string; status: string }>('select id, status from interactions.message where workspace_id = $1 order by at', [workspace]);
    await waitFor(async () => (await stored()).length === 6 && (await stored()).some((m) => m.status === 'read'), {
      timeoutMs: 20_000,
      what: 'the JetStream messages',
    });

    const range = { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' };
    const all = await exported({ dataset: 'messages', ...range, timeZone: 'Europe/Madrid' });
    expect(all.records.map((r) => r.id)).toEqual([inbound, delivered, late, failed, failedInbound].map((m) => m.messageId));
    expect(all.records[1]).toMatchObject({ status: 'read', text: `'=HYPERLINK("http://x")`, at: '2026-06-01T12:00:00+02', conversationId });

    const failures = await exported({ dataset: 'failed_messages', ...range });
    expect(failures.records).toEqual([
      expect.objectContaining({ id: failed.messageId, failureReason: 'recipient is not on WhatsApp', text: "'+49 30 1234", at: '2026-06-03T01:30:00+02' }),
    ]);
    expect(failures.rows).toBe(1);
    expect(Object.keys(failures.records[0]!)).not.toContain('direction');

    const conversations = await exported({
      dataset: 'conversations',
      ...range,
      fields: ['id', 'status', 'assignee', 'closedAt'],
      delimiter: ';',
      timeZone: 'UTC',
    });
    expect(conversations.text).toBe(`id;status;assignee;closedAt\n${conversationId};closed;agent-7;2026-06-01T11:00:00+00\n`);
  });

  it('exports users with a summary of live interaction data only, in the order of the profiles file', async () => {
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const [ana, bo, cy] = [randomUUID(), randomUUID(), randomUUID()];
    const program = async (kind: 'campaigns' | 'canvases', name: string) => {
      const p = (await api('POST', `/v1/${kind}`, { name })).body;
      await api('POST', `/v1/${kind}/${p.id}/start`);
      return p.id as string;
    };
    const [live, canvas, stopping] = [await program('campaigns', 'Live'), await program('canvases', 'Journey'), await program('campaigns', 'Stopping')];
    const interaction = (programId: string, contactId: string, type: string, at: string) => ({ id: randomUUID(), programId, contactId, type, at });
    await api('POST', '/v1/interactions', {
      interactions: [
        interaction(live, ana, 'received', '2026-05-01T10:00:00.000Z'),
        interaction(live, ana, 'opened', '2026-05-01T11:00:00.000Z'),
        interaction(canvas, ana, 'received', '2026-05-02T10:00:00.000Z'),
        interaction(canvas, bo, 'received', '2026-05-03T10:00:00.000Z'),
        interaction(stopping, ana, 'clicked', '2026-09-01T10:00:00.000Z'),
        interaction(stopping, cy, 'received', '2026-09-01T10:00:00.000Z'),
      ],
    });
    await api('POST', `/v1/campaigns/${stopping}/stop`);
    await waitFor(async () => (await api('GET', `/v1/campaigns/${stopping}`)).body.interactionData.state === 'expired', {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'the expiry',
    });

    // The profiles file, as the contacts dataset writes it (cy, bo, ana, and one without interactions).
    const dee = randomUUID();
    const profilesKey = objectKey(workspace, 'exports', randomUUID(), 'csv');
    await storage.upload(
      'exports',
      profilesKey,
      Readable.from([
        `id,email,firstName,lastName\n${cy},cy@example.com,Cy,\n${bo},bo@example.com,Bo,\n` + `${ana},ana@example.com,'=cmd,Ana\n${dee},dee@example.com,,\n`,
      ]),
    );
    const users = await exported({ dataset: 'users', profilesKey, timeZone: 'UTC' });
    expect(users.records).toEqual([
      {
        id: cy,
        email: 'cy@example.com',
        firstName: 'Cy',
        lastName: '',
        campaigns: '0',
        canvases: '0',
        received: '0',
        opened: '0',
        clicked: '0',
        converted: '0',
        bounced: '0',
        failed: '0',
        lastInteractionAt: '',
      },
      {
        id: bo,
        email: 'bo@example.com',
        firstName: 'Bo',
        lastName: '',
        campaigns: '0',
        canvases: '1',
        received: '1',
        opened: '0',
        clicked: '0',
        converted: '0',
        bounced: '0',
        failed: '0',
        lastInteractionAt: '2026-05-03T10:00:00+00',
      },
      {
        id: ana,
        email: 'ana@example.com',
        firstName: "'=cmd",
        lastName: 'Ana',
        campaigns: '1',
        canvases: '1',
        received: '2',
        opened: '1',
        clicked: '0',
        converted: '0',
        bounced: '0',
        failed: '0',
        lastInteractionAt: '2026-05-02T10:00:00+00',
      },
      {
        id: dee,
        email: 'dee@example.com',
        firstName: '',
        lastName: '',
        campaigns: '0',
        canvases: '0',
        received: '0',
        opened: '0',
        clicked: '0',
        converted: '0',
        bounced: '0',
        failed: '0',
        lastInteractionAt: '',
      },
    ]);
    // Narrowed to one campaign.
    const one = await exported({ dataset: 'users', profilesKey, programId: live, fields: ['id', 'received', 'opened'] });
    expect(one.text).toBe(`id,received,opened\n${cy},0,0\n${bo},0,0\n${ana},1,1\n${dee},0,0\n`);

    // A profiles file with another header fails the job with a code that says so.
    const badKey = objectKey(workspace, 'exports', randomUUID(), 'csv');
    await storage.upload('exports', badKey, Readable.from([`email,id\nx@example.com,${ana}\n`]));
    const exportId = randomUUID();
    await request({ exportId, dataset: 'users', profilesKey: badKey, key: objectKey(workspace, 'exports', exportId, 'csv') });
    const failedEvent = await tap.waitFor('events.interactions.dataset.failed.v1', (d) => d.exportId === exportId, 20_000);
    expect(failedEvent.envelope.data).toMatchObject({ code: 'DATASET_BAD_PROFILES' });
  });

  it('refuses incomplete requests, unknown fields and keys outside the workspace at once', async () => {
    const exportId = randomUUID();
    const key = objectKey(workspace, 'exports', exportId, 'csv');
    const refused = (data: Record<string, unknown>) =>
      request({ exportId, key, ...data }).then(
        () => null,
        (err: { code: string; message: string }) => err,
      );
    expect(await refused({ dataset: 'messages', from: '2026-01-01T00:00:00.000Z' })).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('to required'),
    });
    expect(await refused({ dataset: 'users' })).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('profilesKey') });
    expect(
      await refused({ dataset: 'conversations', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z', fields: ['id', 'phone'] }),
    ).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('"phone"') });
    expect(await refused({ dataset: 'users', profilesKey: objectKey('someone-else', 'exports', exportId, 'csv') })).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const [{ n }] = await databaseQuery<{ n: number }>(`select count(*)::int as n from interactions.job where workspace_id = $1 and params->>'exportId' = $2`, [
      workspace,
      exportId,
    ]);
    expect(n).toBe(0);
  });
});
