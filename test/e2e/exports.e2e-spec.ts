import { execFileSync } from 'node:child_process';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import SftpClient from 'ssh2-sftp-client';
import { ObjectStorage, objectKey, parseStorageConfig } from '@custodian/storage';
import { databaseQuery, EventTap, stackEnv, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';

type Api = ReturnType<TestSystem['client']>;

/** A notification receiver on loopback: answers 500 to the first call of each export, 200 after. */
class Receiver {
  readonly calls: { headers: IncomingMessage['headers']; body: string }[] = [];
  private server?: Server;
  private failedOnce = new Set<string>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.calls.push({ headers: req.headers, body });
        const id = (JSON.parse(body) as { data: { exportId: string } }).data.exportId;
        if (this.failedOnce.has(id)) return res.end('ok');
        this.failedOnce.add(id);
        res.writeHead(500).end('try again');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/exports`;
  }

  stop(): Promise<unknown> {
    return new Promise((r) => this.server?.close(r));
  }
}

async function finished(api: Api, id: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const view = (await api('GET', `/v1/exports/${id}`)).body;
      return ['queued', 'running'].includes(view.status) ? null : view;
    },
    { timeoutMs, what: `export ${id} to end` },
  );
}

/** The download as a client sees it: the gateway's redirect, then the file behind it. */
async function download(system: TestSystem, token: string, id: string): Promise<{ status: number; bytes?: Buffer; location?: string }> {
  const res = await fetch(`${system.gatewayUrl}/v1/exports/${id}/download`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
  if (res.status !== 302) return { status: res.status };
  const location = res.headers.get('location')!;
  const file = await fetch(location);
  return { status: 302, location, bytes: Buffer.from(await file.arrayBuffer()) };
}

describe('exports', () => {
  // Files valid 8 s; the sweeper looks every 300 ms; notifications retried after 200 ms and, as in
  // development, allowed to a receiver on loopback over http.
  const system = new TestSystem(['contacts', 'interactions', 'exports'], {
    EXPORTS_VALIDITY: '8s',
    EXPORTS_SWEEP_INTERVAL: '300ms',
    EXPORTS_NOTIFY_BACKOFF: '200ms',
    EXPORTS_JOB_LEASE: '2s',
    EXPORTS_NOTIFY_ALLOW_PRIVATE: 'true',
    EXPORTS_DELIVERY_ALLOW_PRIVATE: 'true',
    EXPORTS_DELIVERY_ATTEMPTS: '2',
    EXPORTS_DELIVERY_BACKOFF: '200ms',
    INTERACTIONS_EXPIRE_AFTER: '2s',
    INTERACTIONS_SWEEP_INTERVAL: '250ms',
  });
  const storage = new ObjectStorage(parseStorageConfig(stackEnv()));
  const receiver = new Receiver();
  let hookUrl: string;

  beforeAll(async () => {
    [hookUrl] = await Promise.all([receiver.start(), system.start()]);
  });
  afterAll(async () => {
    await Promise.all([system.stop(), receiver.stop()]);
  });

  it('exports exactly the live contacts with their list statuses and tags, downloadable while valid, gone after', async () => {
    const workspace = uniqueWorkspace('exp');
    const tap = await new EventTap(workspace).start();
    try {
      const token = system.token({ workspace, role: 'manager' });
      const api = system.client(token);
      const vip = (await api('POST', '/v1/lists', { name: 'VIP' })).body;
      const news = (await api('POST', '/v1/lists', { name: 'News' })).body;
      const made = [];
      for (let i = 0; i < 30; i += 1) {
        const body = {
          email: `c${i}@example.com`,
          firstName: i === 0 ? '=HYPERLINK("http://evil","x")' : `Name ${i}`,
          lastName: i === 1 ? 'Smith, "Jr."' : null,
          fields: { phone: '+49 30 1234' },
          tags: i % 2 ? ['gold', 'Early'] : [],
          lists: [{ listId: vip.id, status: i % 3 ? 'subscribed' : 'unsubscribed' }, ...(i % 5 === 0 ? [{ listId: news.id, status: 'subscribed' }] : [])],
        };
        made.push((await api('POST', '/v1/contacts', body)).body);
      }
      // Archived contacts are not live: they are not exported.
      await api('POST', `/v1/contacts/${made[29].id}/archive`);
      const other = system.client(system.token({ workspace: uniqueWorkspace('exp-other'), role: 'owner' }));
      await other('POST', '/v1/contacts', { email: 'stranger@example.com' });

      const requested = await api('POST', '/v1/exports', { dataset: 'contacts', timeZone: 'Asia/Tokyo', notificationUrl: hookUrl });
      expect(requested.status).toBe(202);
      expect(requested.headers.get('location')).toBe(`/v1/exports/${requested.body.id}`);
      expect(requested.body).toMatchObject({ dataset: 'contacts', status: 'queued', request: { timeZone: 'Asia/Tokyo', delimiter: ',', header: true } });
      const done = await finished(api, requested.body.id);
      expect(done).toMatchObject({ status: 'succeeded', rows: 29, error: null });
      expect((await api('GET', `/v1/jobs/${done.id}`)).body).toMatchObject({ id: done.id, kind: 'export', status: 'succeeded' });
      // /v1/jobs applies the export's own rules: no member, no workspace off the enterprise plan.
      const asMember = await system.client(system.token({ workspace, role: 'member' }))('GET', `/v1/jobs/${done.id}`);
      expect([asMember.status, asMember.body.code]).toEqual([403, 'FORBIDDEN']);
      const asPro = await system.client(system.token({ workspace, role: 'owner', plan: 'pro' }))('GET', `/v1/jobs/${done.id}`);
      expect([asPro.status, asPro.body.code]).toEqual([403, 'PLAN_REQUIRED']);

      // The file: UTF-8 CSV that a standard parser reads back, the sha256 of the view and the manifest.
      const file = await download(system, token, done.id);
      expect(file.status).toBe(302);
      expect(createHash('sha256').update(file.bytes!).digest('hex')).toBe(done.sha256);
      expect(file.bytes!.length).toBe(done.bytes);
      const records = parse(file.bytes!.toString('utf8'), { columns: true }) as Record<string, string>[];
      expect(records.map((r) => r.id).sort()).toEqual(
        made
          .slice(0, 29)
          .map((c) => c.id)
          .sort(),
      );
      const first = records.find((r) => r.email === 'c0@example.com')!;
      expect(first).toMatchObject({
        firstName: `'=HYPERLINK("http://evil","x")`,
        lists: 'News:subscribed;VIP:unsubscribed',
        tags: '',
        'fields.phone': "'+49 30 1234",
      });
      expect(first.createdAt).toMatch(/\+09$/);
      expect(records.find((r) => r.email === 'c1@example.com')).toMatchObject({ lastName: 'Smith, "Jr."', tags: 'Early;gold', lists: 'VIP:subscribed' });
      const manifestKey = objectKey(workspace, 'exports', done.id, 'manifest.json', new Date(done.requestedAt));
      const manifest = JSON.parse((await storage.readSmall('exports', manifestKey, 1 << 20)).toString('utf8'));
      expect(manifest).toMatchObject({ exportId: done.id, dataset: 'contacts', rows: 29, bytes: done.bytes, sha256: done.sha256, timeZone: 'Asia/Tokyo' });

      // The event, and the signed notification (retried once after a 500).
      const event = await tap.waitFor('events.exports.export.completed.v1', (d) => d.exportId === done.id, 20_000);
      expect(event.envelope.data).toMatchObject({ rows: 29, sha256: done.sha256 });
      const delivered = await waitFor(
        async () => {
          const view = (await api('GET', `/v1/exports/${done.id}`)).body;
          return view.notification.status === 'delivered' ? view : null;
        },
        { timeoutMs: 20_000, what: 'the notification' },
      );
      expect(delivered.notification).toMatchObject({ url: hookUrl, attempts: 2 });
      const calls = receiver.calls.filter((c) => JSON.parse(c.body).data.exportId === done.id);
      expect(calls).toHaveLength(2);
      const { secret } = (await system.client(system.token({ workspace, role: 'admin' }))('GET', '/v1/settings/export-webhook-secret')).body;
      const last = calls[1]!;
      const signed = `${last.headers['webhook-id']}.${last.headers['webhook-timestamp']}.${last.body}`;
      const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
        .update(signed)
        .digest('base64');
      expect(last.headers['webhook-signature']).toBe(`v1,${expected}`);
      expect(calls[0]!.headers['webhook-id']).toBe(last.headers['webhook-id']);
      expect(JSON.parse(last.body)).toMatchObject({ type: 'export.succeeded', data: { exportId: done.id, rows: 29 } });

      // History: newest first, with who asked.
      const history = (await api('GET', '/v1/exports?limit=10')).body;
      expect(history.items[0]).toMatchObject({ id: done.id, dataset: 'contacts', status: 'succeeded' });
      expect(history.items[0].requestedBy).toBeTruthy();

      // Another workspace sees none of it, the download included.
      expect((await other('GET', `/v1/exports/${done.id}`)).status).toBe(404);
      expect((await other('GET', `/v1/exports/${done.id}/download`)).status).toBe(404);
      expect((await other('DELETE', `/v1/exports/${done.id}`)).status).toBe(404);
      expect((await other('GET', '/v1/exports')).body.items).toEqual([]);

      // Past its validity: expired, the file deleted, the download gone.
      await waitFor(async () => (await api('GET', `/v1/exports/${done.id}`)).body.status === 'expired', { timeoutMs: 20_000, what: 'the export to expire' });
      const gone = await api('GET', `/v1/exports/${done.id}/download`);
      expect([gone.status, gone.body.code]).toEqual([410, 'EXPORT_EXPIRED']);
      const stillThere = await fetch(file.location!);
      expect(stillThere.status).toBe(404);
    } finally {
      await tap.stop();
    }
  });

  it('delivers to allowlisted SFTP and WebDAV servers, and keeps the file downloadable when a delivery fails', async () => {
    const workspace = uniqueWorkspace('dlv');
    const token = system.token({ workspace, role: 'admin' });
    const api = system.client(token);
    await api('POST', '/v1/contacts', { email: 'delivered@example.com' });
    const sftpUrl = new URL(stackEnv().LOCAL_SFTP_URL!);
    const webdavUrl = new URL(stackEnv().LOCAL_WEBDAV_URL!);
    const folder = `/exports-${workspace}`;
    const destination = async (body: object) => api('POST', '/v1/settings/export-destinations', body);
    expect((await system.client(system.token({ workspace, role: 'manager' }))('POST', '/v1/settings/export-destinations', {})).status).toBe(403);
    const sftp = (
      await destination({
        name: 'Warehouse',
        kind: 'sftp',
        host: sftpUrl.hostname,
        port: Number(sftpUrl.port),
        path: sftpUrl.pathname,
        username: decodeURIComponent(sftpUrl.username),
        password: decodeURIComponent(sftpUrl.password),
      })
    ).body;
    const dav = (
      await destination({
        name: 'Team drive',
        kind: 'webdav',
        host: webdavUrl.hostname,
        port: Number(webdavUrl.port),
        path: folder,
        tls: false,
        username: decodeURIComponent(webdavUrl.username),
        password: decodeURIComponent(webdavUrl.password),
      })
    ).body;
    const wrong = (
      await destination({
        name: 'Wrong password',
        kind: 'sftp',
        host: sftpUrl.hostname,
        port: Number(sftpUrl.port),
        path: sftpUrl.pathname,
        username: decodeURIComponent(sftpUrl.username),
        password: 'not-the-password',
      })
    ).body;
    const impostorKey = `SHA256:${'A'.repeat(43)}`;
    const impostor = (
      await destination({
        name: 'Pinned to another key',
        kind: 'sftp',
        host: sftpUrl.hostname,
        port: Number(sftpUrl.port),
        path: sftpUrl.pathname,
        username: decodeURIComponent(sftpUrl.username),
        password: decodeURIComponent(sftpUrl.password),
        hostKey: impostorKey,
      })
    ).body;
    expect(impostor.hostKey).toBe(impostorKey);
    const davKey = await destination({
      name: 'Keyed drive',
      kind: 'webdav',
      host: webdavUrl.hostname,
      path: folder,
      username: 'u',
      password: 'p',
      hostKey: impostorKey,
    });
    expect([davKey.status, davKey.body.code, davKey.body.errors?.[0]?.path]).toEqual([422, 'VALIDATION_FAILED', 'hostKey']);
    const badKey = await destination({
      name: 'Bad key',
      kind: 'sftp',
      host: sftpUrl.hostname,
      path: '/upload',
      username: 'u',
      password: 'p',
      hostKey: 'ssh-ed25519 AAAA',
    });
    expect([badKey.status, badKey.body.code]).toEqual([422, 'VALIDATION_FAILED']);
    const stranger = system.client(system.token({ workspace: uniqueWorkspace('dlv-other'), role: 'owner' }));
    expect((await stranger('GET', '/v1/settings/export-destinations')).body.items).toEqual([]);
    expect((await stranger('DELETE', `/v1/settings/export-destinations/${sftp.id}`)).status).toBe(404);
    expect((await stranger('POST', '/v1/exports', { dataset: 'contacts', delivery: { method: 'sftp', destinationId: sftp.id } })).body.code).toBe(
      'DESTINATION_NOT_ALLOWED',
    );
    const listed = (await api('GET', '/v1/settings/export-destinations')).body.items;
    expect(listed.map((d: { name: string }) => d.name)).toEqual(['Pinned to another key', 'Team drive', 'Warehouse', 'Wrong password']);
    expect(listed.find((d: { name: string }) => d.name === 'Warehouse').hostKey).toBeNull();
    expect(JSON.stringify(listed)).not.toContain(decodeURIComponent(sftpUrl.password));

    const refused = await api('POST', '/v1/exports', { dataset: 'contacts', delivery: { method: 'sftp', destinationId: randomUUID() } });
    expect([refused.status, refused.body.code]).toEqual([422, 'DESTINATION_NOT_ALLOWED']);
    expect((await api('POST', '/v1/exports', { dataset: 'contacts', delivery: { method: 'webdav', destinationId: sftp.id } })).body.code).toBe(
      'DESTINATION_NOT_ALLOWED',
    );

    const deliveredBy = async (delivery: object) => {
      const requested = (await api('POST', '/v1/exports', { dataset: 'contacts', fields: ['email'], delivery })).body;
      await finished(api, requested.id);
      return waitFor(
        async () => {
          const view = (await api('GET', `/v1/exports/${requested.id}`)).body;
          return ['delivered', 'failed'].includes(view.delivery.status) ? view : null;
        },
        { timeoutMs: 30_000, what: 'the delivery' },
      );
    };
    const fileName = (view: { id: string; requestedAt: string }) => `contacts-${view.requestedAt.replace(/[-:]/g, '').replace(/\..*$/, '')}-${view.id}.csv`;

    const bySftp = await deliveredBy({ method: 'sftp', destinationId: sftp.id });
    expect(bySftp.delivery).toMatchObject({ method: 'sftp', status: 'delivered', attempts: 1, error: null });
    // The key the server presented at the first delivery is kept: the one OpenSSH's own tools read from it.
    const scanned = execFileSync('ssh-keyscan', ['-p', sftpUrl.port, '-t', 'ed25519', sftpUrl.hostname], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const fingerprint = execFileSync('ssh-keygen', ['-lf', '-'], { input: scanned, encoding: 'utf8' }).split(' ')[1];
    expect(fingerprint).toMatch(/^SHA256:/);
    const kept = (await api('GET', '/v1/settings/export-destinations')).body.items.find((d: { id: string }) => d.id === sftp.id);
    expect(kept.hostKey).toBe(fingerprint);
    const client = new SftpClient();
    await client.connect({
      host: sftpUrl.hostname,
      port: Number(sftpUrl.port),
      username: decodeURIComponent(sftpUrl.username),
      password: decodeURIComponent(sftpUrl.password),
    });
    try {
      const got = (await client.get(`${sftpUrl.pathname}/${fileName(bySftp)}`)) as Buffer;
      expect(got.toString('utf8')).toBe('email\ndelivered@example.com\n');
      expect(JSON.parse(((await client.get(`${sftpUrl.pathname}/${fileName(bySftp)}.manifest.json`)) as Buffer).toString('utf8'))).toMatchObject({
        rows: 1,
        sha256: bySftp.sha256,
      });
      expect(await client.exists(`${sftpUrl.pathname}/${fileName(bySftp)}.part`)).toBe(false);
    } finally {
      await client.end();
    }

    const byWebdav = await deliveredBy({ method: 'webdav', destinationId: dav.id });
    expect(byWebdav.delivery).toMatchObject({ status: 'delivered' });
    const auth = `Basic ${Buffer.from(`${decodeURIComponent(webdavUrl.username)}:${decodeURIComponent(webdavUrl.password)}`).toString('base64')}`;
    const got = await fetch(`${webdavUrl.origin}${folder}/${fileName(byWebdav)}`, { headers: { authorization: auth } });
    expect([got.status, await got.text()]).toEqual([200, 'email\ndelivered@example.com\n']);

    const failed = await deliveredBy({ method: 'sftp', destinationId: wrong.id });
    expect(failed.delivery).toMatchObject({ status: 'failed', attempts: 2, error: expect.stringMatching(/auth/i) });
    const spoofed = await deliveredBy({ method: 'sftp', destinationId: impostor.id });
    expect(spoofed.delivery).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: `${sftpUrl.hostname} presented the host key ${fingerprint}, not the destination's ${impostorKey}; if the server's key changed, add the destination again with the new one`,
    });
    expect(failed.status).toBe('succeeded');
    expect((await download(system, token, failed.id)).status).toBe(302);
  });

  it('enforces plan, roles, ranges and one export at a time', async () => {
    const workspace = uniqueWorkspace('lim');
    const as = (role: 'owner' | 'admin' | 'manager' | 'member', plan: 'free' | 'pro' | 'enterprise' = 'enterprise') =>
      system.client(system.token({ workspace, role, plan }));
    const pro = await as('owner', 'pro')('POST', '/v1/exports', { dataset: 'contacts' });
    expect([pro.status, pro.body.code]).toEqual([403, 'PLAN_REQUIRED']);
    const member = await as('member')('POST', '/v1/exports', { dataset: 'contacts' });
    expect([member.status, member.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await as('member')('GET', '/v1/exports')).status).toBe(403);

    const api = as('admin');
    const tooLong = await api('POST', '/v1/exports', { dataset: 'messages', from: '2025-01-01T00:00:00.000Z', to: '2026-01-03T00:00:00.000Z' });
    expect([tooLong.status, tooLong.body.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect(tooLong.body.errors).toEqual([{ path: 'to', message: expect.stringContaining('at most a year') }]);
    const noRange = await api('POST', '/v1/exports', { dataset: 'failed_messages' });
    expect(noRange.body.errors[0]).toMatchObject({ path: 'from' });
    const badZone = await api('POST', '/v1/exports', { dataset: 'contacts', timeZone: 'Mars/Olympus' });
    expect(badZone.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'timeZone' }] });
    const badField = await api('POST', '/v1/exports', { dataset: 'users', fields: ['email', 'password'] });
    expect(badField.body.errors).toEqual([{ path: 'fields', message: '"password" is not a column of users' }]);

    // Two at once: one export, the other refused with the running one's id.
    const [a, b] = await Promise.all([api('POST', '/v1/exports', { dataset: 'contacts' }), api('POST', '/v1/exports', { dataset: 'contacts' })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const [won, lost] = a.status === 202 ? [a, b] : [b, a];
    expect(lost.body).toMatchObject({ code: 'JOB_ALREADY_RUNNING' });
    expect(lost.body.message).toContain(won.body.id);
    await finished(api, won.body.id);

    // The same Idempotency-Key answers the same export.
    const key = randomUUID();
    const first = await api('POST', '/v1/exports', { dataset: 'contacts', compression: 'gzip' }, { 'idempotency-key': key });
    const again = await api('POST', '/v1/exports', { dataset: 'contacts', compression: 'gzip' }, { 'idempotency-key': key });
    expect(again.body.id).toBe(first.body.id);
    await finished(api, first.body.id);
  });

  it('narrows by list, tag and campaign, writes without a header or gzipped as asked, and pages the history', async () => {
    const workspace = uniqueWorkspace('flt');
    const token = system.token({ workspace, role: 'owner' });
    const api = system.client(token);
    const list = (await api('POST', '/v1/lists', { name: 'Members' })).body;
    await api('POST', '/v1/contacts', { email: 'gold@example.com', tags: ['Gold'], lists: [{ listId: list.id, status: 'subscribed' }] });
    await api('POST', '/v1/contacts', { email: 'plain@example.com', lists: [{ listId: list.id, status: 'subscribed' }] });
    await api('POST', '/v1/contacts', { email: 'outside@example.com', tags: ['gold'] });
    const fileOf = async (body: object) => {
      const done = await finished(api, (await api('POST', '/v1/exports', body)).body.id);
      expect(done.status).toBe('succeeded');
      return { done, bytes: (await download(system, token, done.id)).bytes! };
    };
    const byTag = await fileOf({ dataset: 'contacts', fields: ['email'], filters: { tag: 'GOLD' }, header: false });
    expect(byTag.bytes.toString('utf8').split('\n').filter(Boolean).sort()).toEqual(['gold@example.com', 'outside@example.com']);
    const byList = await fileOf({ dataset: 'contacts', fields: ['email', 'lists'], filters: { listId: list.id }, compression: 'gzip', delimiter: ';' });
    const csv = gunzipSync(byList.bytes).toString('utf8');
    expect(parse(csv, { columns: true, delimiter: ';' })).toEqual(
      expect.arrayContaining([
        { email: 'gold@example.com', lists: 'Members:subscribed' },
        { email: 'plain@example.com', lists: 'Members:subscribed' },
      ]),
    );
    expect(csv.trim().split('\n')).toHaveLength(3);
    expect(createHash('sha256').update(byList.bytes).digest('hex')).toBe(byList.done.sha256);

    const campaign = (await api('POST', '/v1/campaigns', { name: 'Promo' })).body;
    const failed = (programId?: string) => ({
      messageId: randomUUID(),
      contactId: randomUUID(),
      channel: 'email',
      direction: 'outbound',
      status: 'failed',
      at: '2026-02-01T10:00:00.000Z',
      statusAt: '2026-02-01T10:00:00.000Z',
      ...(programId ? { programId } : {}),
    });
    const ofCampaign = failed(campaign.id);
    await api('POST', '/v1/interactions', { messages: [ofCampaign, failed(), failed(randomUUID())] });
    const byCampaign = await fileOf({
      dataset: 'failed_messages',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
      filters: { campaignId: campaign.id },
    });
    expect((parse(byCampaign.bytes.toString('utf8'), { columns: true }) as { id: string }[]).map((r) => r.id)).toEqual([ofCampaign.messageId]);
    expect(
      (
        await api('POST', '/v1/exports', {
          dataset: 'conversations',
          from: '2026-01-01T00:00:00.000Z',
          to: '2026-02-01T00:00:00.000Z',
          filters: { campaignId: campaign.id },
        })
      ).body.errors,
    ).toEqual([{ path: 'filters.campaignId', message: 'does not apply to conversations' }]);

    // History pages, newest first.
    const first = (await api('GET', '/v1/exports?limit=2')).body;
    expect(first.items.map((i: { id: string }) => i.id)).toEqual([byCampaign.done.id, byList.done.id]);
    const second = (await api('GET', `/v1/exports?limit=2&cursor=${first.nextCursor}`)).body;
    expect(second).toEqual({ items: [expect.objectContaining({ id: byTag.done.id })], nextCursor: null });
  });

  it('exports failed messages of the range and users without expired interaction data, through the owners', async () => {
    const workspace = uniqueWorkspace('ixp');
    const token = system.token({ workspace, role: 'owner' });
    const api = system.client(token);
    const message = (over: object) => ({
      messageId: randomUUID(),
      contactId: randomUUID(),
      channel: 'sms',
      direction: 'outbound',
      status: 'failed',
      failureReason: 'unreachable',
      at: '2026-03-01T10:00:00.000Z',
      statusAt: '2026-03-01T10:00:01.000Z',
      ...over,
    });
    const inRange = message({});
    await api('POST', '/v1/interactions', {
      messages: [inRange, message({ status: 'delivered' }), message({ direction: 'inbound', status: 'failed' }), message({ at: '2027-01-01T00:00:00.000Z' })],
    });
    const req = await api('POST', '/v1/exports', {
      dataset: 'failed_messages',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-12-31T00:00:00.000Z',
      delimiter: ';',
    });
    const done = await finished(api, req.body.id);
    expect(done).toMatchObject({ status: 'succeeded', rows: 1 });
    const file = await download(system, token, done.id);
    const records = parse(file.bytes!.toString('utf8'), { columns: true, delimiter: ';' }) as Record<string, string>[];
    expect(records).toEqual([expect.objectContaining({ id: inRange.messageId, failureReason: 'unreachable', at: '2026-03-01T11:00:00+01' })]);

    // Users: profiles from contacts, summaries from interactions; the data of a stopped campaign expires and is left out.
    const contact = (await api('POST', '/v1/contacts', { email: 'u1@example.com', firstName: 'Uma' })).body;
    const campaign = (await api('POST', '/v1/campaigns', { name: 'Spring' })).body;
    const stopped = (await api('POST', '/v1/campaigns', { name: 'Winter' })).body;
    for (const c of [campaign, stopped]) await api('POST', `/v1/campaigns/${c.id}/start`);
    await api('POST', '/v1/interactions', {
      interactions: [
        { id: randomUUID(), programId: campaign.id, contactId: contact.id, type: 'received', at: '2026-04-01T08:00:00.000Z' },
        { id: randomUUID(), programId: stopped.id, contactId: contact.id, type: 'received', at: '2026-05-01T08:00:00.000Z' },
        { id: randomUUID(), programId: stopped.id, contactId: contact.id, type: 'clicked', at: '2026-05-01T09:00:00.000Z' },
      ],
    });
    await api('POST', `/v1/campaigns/${stopped.id}/stop`);
    await waitFor(async () => (await api('GET', `/v1/campaigns/${stopped.id}`)).body.interactionData.state === 'expired', {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'the expiry',
    });
    const users = await finished(api, (await api('POST', '/v1/exports', { dataset: 'users', timeZone: 'UTC' })).body.id);
    expect(users).toMatchObject({ status: 'succeeded', rows: 1 });
    const rows = parse((await download(system, token, users.id)).bytes!.toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      expect.objectContaining({
        id: contact.id,
        email: 'u1@example.com',
        firstName: 'Uma',
        campaigns: '1',
        received: '1',
        clicked: '0',
        lastInteractionAt: '2026-04-01T08:00:00+00',
      }),
    ]);
  });

  it('cancels an export, and resumes one whose process died, never calling a truncated file ready', async () => {
    const workspace = uniqueWorkspace('kill');
    const token = system.token({ workspace, role: 'owner' });
    const api = system.client(token);
    // Enough contacts that the export is still running when the process is killed.
    await databaseQuery(
      `insert into contacts.contact (workspace_id, email, first_name)
      select $1, 'bulk' || i || '@example.com', 'Bulk ' || i from generate_series(1, 200000) i`,
      [workspace],
    );

    const cancelled = (await api('POST', '/v1/exports', { dataset: 'contacts' })).body;
    await waitFor(async () => (await api('GET', `/v1/exports/${cancelled.id}`)).body.status === 'running', {
      timeoutMs: 15_000,
      intervalMs: 20,
      what: 'the export to run',
    });
    const cancel = await api('DELETE', `/v1/exports/${cancelled.id}`);
    expect(cancel.body).toMatchObject({ status: 'cancelled', error: { code: 'EXPORT_CANCELLED' } });
    expect((await api('DELETE', `/v1/exports/${cancelled.id}`)).status).toBe(409);
    // The owner, asked already, still writes the file; once it reports, the file is removed.
    await waitFor(async () => (await databaseQuery('select 1 from exports.dataset_result where request_id = $1', [cancelled.id])).length > 0, {
      timeoutMs: 30_000,
      what: "the owner's report",
    });
    const filesOf = async (id: string) => {
      const keys: string[] = [];
      for await (const o of storage.list('exports', `${workspace}/exports/`)) if (o.key.includes(id)) keys.push(o.key);
      return keys;
    };
    await waitFor(async () => (await filesOf(cancelled.id)).length === 0, { timeoutMs: 10_000, what: "the cancelled export's file to be removed" });

    const requested = (await api('POST', '/v1/exports', { dataset: 'contacts', fields: ['id', 'email', 'firstName'] })).body;
    await waitFor(async () => (await api('GET', `/v1/exports/${requested.id}`)).body.status === 'running', {
      timeoutMs: 15_000,
      intervalMs: 20,
      what: 'the export to run',
    });
    await system.service('exports').kill();
    await system.service('exports').start();
    const done = await finished(api, requested.id, 60_000);
    if (done.status === 'succeeded') {
      const file = await download(system, token, done.id);
      expect(createHash('sha256').update(file.bytes!).digest('hex')).toBe(done.sha256);
      expect(file.bytes!.toString('utf8').trimEnd().split('\n')).toHaveLength(200_001);
      expect(done.rows).toBe(200_000);
    } else {
      expect(done.status).toBe('failed');
    }
  }, 150_000);
});

describe('exports in production mode: time limit and notification addresses', () => {
  // Without the contacts service a contacts export cannot finish: it runs into the 2 s limit.
  const system = new TestSystem(['interactions', 'exports'], { EXPORTS_TIMEOUT: '2s', EXPORTS_COOLDOWN: '5s', EXPORTS_NOTIFY_ALLOW_PRIVATE: 'false' });
  beforeAll(() => system.start());
  afterAll(() => system.stop());

  it('refuses notification URLs that are not https or point at private, loopback or link-local addresses', async () => {
    const api = system.client(system.token({ workspace: uniqueWorkspace('ssrf'), role: 'owner' }));
    for (const url of [
      'http://hooks.example.com/x',
      'https://127.0.0.1/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.8/x',
      'https://0x7f000001/x',
      'https://2852039166/latest/meta-data',
    ]) {
      const res = await api('POST', '/v1/exports', { dataset: 'contacts', notificationUrl: url });
      expect([url, res.status, res.body.code]).toEqual([url, 422, 'NOTIFICATION_URL_REFUSED']);
    }
  });

  it('refuses delivery destinations at private, loopback or link-local addresses, in every form an address takes', async () => {
    const api = system.client(system.token({ workspace: uniqueWorkspace('ssrf-dest'), role: 'owner' }));
    for (const host of ['127.0.0.1', '0x7f000001', '0x7f.1', '2130706433', '0xa9fea9fe', '[::1]', '::ffff:10.0.0.8']) {
      for (const kind of ['sftp', 'webdav']) {
        const res = await api('POST', '/v1/settings/export-destinations', { name: `${kind} ${host}`, kind, host, path: '/in', username: 'u', password: 'p' });
        expect([host, kind, res.status, res.body.code]).toEqual([host, kind, 422, 'DESTINATION_NOT_ALLOWED']);
      }
    }
    expect(
      (
        await api('POST', '/v1/settings/export-destinations', {
          name: 'Fine',
          kind: 'webdav',
          host: 'dav.example.com',
          path: '/in',
          username: 'u',
          password: 'p',
        })
      ).status,
    ).toBe(201);
  });

  it('discards them, and the workspace may ask again only after the cool-down', async () => {
    const workspace = uniqueWorkspace('slow');
    const tap = await new EventTap(workspace).start();
    try {
      const api = system.client(system.token({ workspace, role: 'owner' }));
      // A name that resolves to loopback passes the request's check; the connection is refused.
      const requested = (await api('POST', '/v1/exports', { dataset: 'contacts', notificationUrl: 'https://localhost:9/hook' })).body;
      const done = await finished(api, requested.id, 20_000);
      expect(done).toMatchObject({ status: 'discarded', error: { code: 'JOB_TIMED_OUT' } });
      const refused = await waitFor(
        async () => {
          const view = (await api('GET', `/v1/exports/${requested.id}`)).body;
          return view.notification.status === 'failed' ? view.notification : null;
        },
        { timeoutMs: 10_000, what: 'the notification to be refused' },
      );
      expect(refused).toMatchObject({ attempts: 1, error: expect.stringMatching(/localhost resolves to .*loopback/) });
      await tap.waitFor('events.exports.export.discarded.v1', (d) => d.exportId === requested.id, 10_000);

      const early = await api('POST', '/v1/exports', { dataset: 'messages', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' });
      expect([early.status, early.body.code]).toEqual([429, 'EXPORT_COOLING_DOWN']);
      const retryAfter = Number(early.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(5);
      const later = await waitFor(
        async () => {
          const res = await api('POST', '/v1/exports', { dataset: 'messages', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' });
          return res.status === 202 ? res : null;
        },
        { timeoutMs: 15_000, intervalMs: 500, what: 'the cool-down to pass' },
      );
      expect((await finished(api, later.body.id)).status).toBe('succeeded');
    } finally {
      await tap.stop();
    }
  });
});
