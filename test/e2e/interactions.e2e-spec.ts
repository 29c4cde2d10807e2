import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync, zstdDecompressSync } from 'node:zlib';
import { ObjectStorage, parseStorageConfig } from '@custodian/storage';
import { databaseQuery, stackEnv, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';
import { DEAD_LETTER_STREAM, EVENT_STREAM, type EventEnvelope } from '@custodian/contracts';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

type Api = ReturnType<TestSystem['client']>;

describe('interactions: campaigns, canvases and ingestion', () => {
  // Data expires 1 h after a stop; the warning comes 2 h before, so at once; the sweep runs every 200 ms.
  const system = new TestSystem(['interactions'], { INTERACTIONS_EXPIRE_AFTER: '1h', INTERACTIONS_WARN_BEFORE: '2h', INTERACTIONS_SWEEP_INTERVAL: '200ms' });

  beforeAll(() => system.start());
  afterAll(() => system.stop());

  const interaction = (programId: string, type = 'opened', extra: object = {}) => ({
    id: randomUUID(),
    programId,
    contactId: randomUUID(),
    type,
    at: '2026-11-20T10:00:00.000Z',
    ...extra,
  });

  async function created(api: Api, path: 'campaigns' | 'canvases', body: object) {
    const res = await api('POST', `/v1/${path}`, body);
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/${path}/${res.body.id}`);
    return res.body;
  }

  it('creates, starts, stops and resumes campaigns and canvases, and says when their interaction data expires', async () => {
    const workspace = uniqueWorkspace('prog');
    const api = system.client(system.token({ workspace, role: 'manager' }));
    const spring = await created(api, 'campaigns', {
      name: 'Spring',
      tags: ['Promo'],
      variants: [
        { id: 'a', name: 'A' },
        { id: 'b', name: 'B' },
      ],
    });
    expect(spring).toMatchObject({ kind: 'campaign', status: 'draft', tags: ['promo'], interactionData: { state: 'live', expiresAt: null } });
    const journey = await created(api, 'canvases', { name: 'Onboarding', steps: [{ id: 's1', name: 'Welcome' }] });
    expect((await api('GET', `/v1/campaigns/${journey.id}`)).status).toBe(404);
    expect((await api('GET', '/v1/campaigns?tag=PROMO')).body.items.map((p: { id: string }) => p.id)).toEqual([spring.id]);

    const early = await api('POST', `/v1/campaigns/${spring.id}/stop`);
    expect([early.status, early.body.code]).toEqual([409, 'PROGRAM_STATE_INVALID']);
    expect((await api('POST', `/v1/campaigns/${spring.id}/start`)).body.status).toBe('active');
    const stopped = (await api('POST', `/v1/campaigns/${spring.id}/stop`)).body;
    expect(stopped).toMatchObject({ status: 'stopped', interactionData: { state: 'expiring' } });
    expect(Date.parse(stopped.interactionData.expiresAt) - Date.parse(stopped.stoppedAt)).toBe(3_600_000);
    expect((await api('GET', '/v1/interactions/expiring?withinDays=1')).body.items.map((p: { id: string }) => p.id)).toEqual([spring.id]);
    expect((await api('GET', '/v1/interactions/expiring?withinDays=0')).body.items).toEqual([]);
    const warnings = () =>
      databaseQuery<{ expires_at: string }>(
        `select envelope->'data'->>'expiresAt' as expires_at from interactions.outbox
      where subject = 'events.interactions.data.expiring.v1' and envelope->>'workspaceId' = $1`,
        [workspace],
      );
    await waitFor(async () => (await warnings()).length > 0, { what: 'the expiry warning' });
    expect((await warnings()).map((w) => w.expires_at)).toEqual([stopped.interactionData.expiresAt]);

    // Retargeted by tag only: still expiring. Named by id in an active canvas's filter: live.
    await api('PATCH', `/v1/canvases/${journey.id}`, { retargeting: { tags: ['promo'] } });
    await api('POST', `/v1/canvases/${journey.id}/start`);
    expect((await api('GET', `/v1/campaigns/${spring.id}`)).body.interactionData.state).toBe('expiring');
    await api('PATCH', `/v1/canvases/${journey.id}`, { retargeting: { programIds: [spring.id] } });
    expect((await api('GET', `/v1/campaigns/${spring.id}`)).body.interactionData).toEqual({ state: 'live', expiresAt: null, expiredAt: null });
    await api('POST', `/v1/canvases/${journey.id}/stop`);
    expect((await api('GET', `/v1/campaigns/${spring.id}`)).body.interactionData.state).toBe('expiring');

    expect((await api('POST', `/v1/campaigns/${spring.id}/resume`)).body).toMatchObject({
      status: 'active',
      stoppedAt: null,
      interactionData: { state: 'live' },
    });
    const unknown = await api('PATCH', `/v1/canvases/${journey.id}`, { retargeting: { programIds: [randomUUID()] } });
    expect([unknown.status, unknown.body.code]).toEqual([422, 'VALIDATION_FAILED']);
  });

  it('pages campaigns one at a time, each exactly once, following the cursors', async () => {
    const api = system.client(system.token({ workspace: uniqueWorkspace('pages'), role: 'manager' }));
    const ids: string[] = [];
    for (const name of ['First', 'Second', 'Third']) ids.push((await created(api, 'campaigns', { name })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await api('GET', `/v1/campaigns?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.body.items.map((p: { id: string }) => p.id));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(ids);
  });

  it('stores each interaction once, refuses a batch naming an unknown program as a whole, and lets only its workspace see anything', async () => {
    const workspace = uniqueWorkspace('ingest');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const campaign = await created(api, 'campaigns', { name: 'Launch' });
    const batch = [
      interaction(campaign.id, 'received', { variantId: 'a' }),
      interaction(campaign.id, 'opened'),
      interaction(campaign.id, 'clicked', { controlGroup: true }),
    ];
    expect((await api('POST', '/v1/interactions', { interactions: batch })).body).toMatchObject({ received: 3, stored: 3, duplicates: 0 });
    // Replayed, with one new interaction: only the new one is stored.
    const again = await api('POST', '/v1/interactions', { interactions: [...batch, interaction(campaign.id, 'converted')] });
    expect(again.body).toMatchObject({ received: 4, stored: 1, duplicates: 3 });

    const refused = await api('POST', '/v1/interactions', { interactions: [interaction(campaign.id), interaction(randomUUID())] });
    expect([refused.status, refused.body.code, refused.body.errors[0].path]).toEqual([422, 'UNKNOWN_PROGRAM', 'interactions[1].programId']);
    const invalid = await api('POST', '/v1/interactions', { interactions: [{ ...interaction(campaign.id), type: 'liked' }] });
    expect([invalid.status, invalid.body.code]).toEqual([422, 'VALIDATION_FAILED']);
    const [{ n }] = await databaseQuery<{ n: number }>('select count(*)::int as n from interactions.interaction where workspace_id = $1', [workspace]);
    expect(n).toBe(4);

    const other = system.client(system.token({ workspace: uniqueWorkspace('other'), role: 'owner' }));
    expect((await other('GET', `/v1/campaigns/${campaign.id}`)).status).toBe(404);
    expect((await other('GET', '/v1/campaigns')).body.items).toEqual([]);
    expect((await other('POST', `/v1/campaigns/${campaign.id}/start`)).status).toBe(404);
    expect((await other('POST', '/v1/interactions', { interactions: [interaction(campaign.id)] })).body.code).toBe('UNKNOWN_PROGRAM');
    const member = system.client(system.token({ workspace, role: 'member' }));
    expect((await member('POST', '/v1/campaigns', { name: 'Nope' })).status).toBe(403);
  });

  it('stores interaction events from JetStream once each, in batches, and parks those naming an unknown program', async () => {
    const workspace = uniqueWorkspace('js');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const campaign = await created(api, 'campaigns', { name: 'Streamed' });
    const nc = await connect({ servers: stackEnv().NATS_SERVERS.split(',') });
    try {
      const js = jetstream(nc);
      const envelope = (id: string, programId: string, i: number) => ({
        id,
        type: 'messaging.interaction.recorded',
        version: 1,
        occurredAt: new Date().toISOString(),
        workspaceId: workspace,
        actor: { id: 'sender' },
        origin: 'integration',
        correlationId: id,
        data: { programId, contactId: randomUUID(), type: i % 2 ? 'opened' : 'received', at: new Date(Date.UTC(2026, 10, 1) + i).toISOString() },
      });
      const events = Array.from({ length: 3000 }, (_, i) => envelope(randomUUID(), campaign.id, i));
      for (let i = 0; i < events.length; i += 200) {
        await Promise.all(events.slice(i, i + 200).map((e) => js.publish('events.messaging.interaction.recorded.v1', JSON.stringify(e), { msgID: e.id })));
      }
      // Replayed past JetStream's de-duplication (other message ids): stored once all the same.
      await Promise.all(
        events.slice(0, 100).map((e) => js.publish('events.messaging.interaction.recorded.v1', JSON.stringify(e), { msgID: `${e.id}-replay` })),
      );
      const stray = envelope(randomUUID(), randomUUID(), 0);
      await js.publish('events.messaging.interaction.recorded.v1', JSON.stringify(stray), { msgID: stray.id });

      const count = async () =>
        (await databaseQuery<{ n: number }>('select count(*)::int as n from interactions.interaction where workspace_id = $1', [workspace]))[0]!.n;
      await waitFor(async () => (await count()) === 3000, { timeoutMs: 30_000, intervalMs: 200, what: 'the 3,000 events' });
      const jsm = await jetstreamManager(nc);
      const dead = await waitFor(
        async () => {
          try {
            const m = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { last_by_subj: 'dead-letter.events.messaging.interaction.recorded.v1' });
            return m && m.json<EventEnvelope>().id === stray.id ? m : null;
          } catch {
            return null;
          }
        },
        { timeoutMs: 15_000, what: 'the stray event in the dead letters' },
      );
      expect(dead.header.get('Custodian-Dead-Letter-Reason')).toContain('not found');
      // Give the replays every chance to be stored twice: the consumer is drained, the count unchanged.
      await waitFor(
        async () => {
          const info = await jsm.consumers.info(EVENT_STREAM, 'interactions__events_messaging_interaction_recorded_v1');
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        { what: 'the consumer to drain' },
      );
      expect(await count()).toBe(3000);
    } finally {
      await nc.close();
    }
  });
});

describe('interaction data expiry', () => {
  // Data of a program stopped 2 s without activity expires; the sweep looks every 250 ms.
  const system = new TestSystem(['interactions'], { INTERACTIONS_EXPIRE_AFTER: '2s', INTERACTIONS_SWEEP_INTERVAL: '250ms' });
  const storage = new ObjectStorage(parseStorageConfig(stackEnv()));

  beforeAll(() => system.start());
  afterAll(() => system.stop());

  const bytesOf = (key: string) => storage.readSmall('interactions', key, 64 * 1024 * 1024);

  it('moves the data of a stopped program to object storage with a matching manifest, unless an active program retargets it by id', async () => {
    const workspace = uniqueWorkspace('exp');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const program = async (path: 'campaigns' | 'canvases', body: object, interactions: number) => {
      const p = (await api('POST', `/v1/${path}`, body)).body;
      await api('POST', `/v1/${path}/${p.id}/start`);
      const ids = Array.from({ length: interactions }, () => randomUUID());
      const contacts = ids.map(() => randomUUID());
      if (ids.length) {
        const batch = ids.map((id, i) => ({
          id,
          programId: p.id,
          contactId: contacts[i],
          type: i % 2 ? 'opened' : 'received',
          variantId: 'a',
          at: new Date(Date.UTC(2026, 9, 1) + i * 1000).toISOString(),
        }));
        expect((await api('POST', '/v1/interactions', { interactions: batch })).body.stored).toBe(interactions);
      }
      return { ...p, ids, contacts };
    };
    const plain = await program('campaigns', { name: 'Plain' }, 500);
    const byId = await program('campaigns', { name: 'Named by id' }, 10);
    const byTag = await program('campaigns', { name: 'Named by tag', tags: ['promo'] }, 10);
    await program('canvases', { name: 'Retargeting', retargeting: { programIds: [byId.id], tags: ['promo'] } }, 0);
    // Before: the audiences and the profile's received list see the data.
    const audience = async (body: object) => (await api('POST', '/v1/interactions/audience', body)).body;
    const opened = plain.contacts.filter((_: string, i: number) => i % 2).sort();
    const firstPage = await audience({ interaction: 'opened', programId: plain.id, limit: 200 });
    expect(firstPage.contactIds).toEqual(opened.slice(0, 200));
    expect((await audience({ interaction: 'opened', programId: plain.id, cursor: firstPage.nextCursor })).contactIds).toEqual(opened.slice(200));
    expect((await audience({ interaction: 'received', tag: 'PROMO' })).contactIds).toEqual(byTag.contacts.filter((_: string, i: number) => i % 2 === 0).sort());
    expect((await api('GET', `/v1/interactions/contacts/${plain.contacts[0]}/received`)).body.campaigns).toMatchObject([{ programId: plain.id, messages: 1 }]);
    for (const p of [plain, byId, byTag]) await api('POST', `/v1/campaigns/${p.id}/stop`);

    const expired = await waitFor(
      async () => {
        const views = await Promise.all([plain, byTag].map(async (p) => (await api('GET', `/v1/campaigns/${p.id}`)).body));
        return views.every((v) => v.interactionData.state === 'expired') ? views : null;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the data of the plain and the tag-retargeted campaign to expire' },
    );
    expect(expired[0].interactionData.expiredAt).not.toBeNull();
    // Named by id in an active canvas's filter: still live, rows still in PostgreSQL.
    expect((await api('GET', `/v1/campaigns/${byId.id}`)).body.interactionData).toEqual({ state: 'live', expiresAt: null, expiredAt: null });
    // After: expired data is left out, and the audience says which programs it left out.
    expect(await audience({ interaction: 'opened', programId: plain.id })).toEqual({ contactIds: [], nextCursor: null, expiredProgramIds: [plain.id] });
    expect(await audience({ interaction: 'received', tag: 'promo' })).toEqual({ contactIds: [], nextCursor: null, expiredProgramIds: [byTag.id] });
    expect((await audience({ interaction: 'opened', programId: byId.id })).contactIds).toHaveLength(5);
    expect((await api('GET', `/v1/interactions/contacts/${plain.contacts[0]}/received`)).body).toEqual({ campaigns: [], canvases: [] });
    const count = async (programId: string) =>
      (await databaseQuery<{ n: number }>('select count(*)::int as n from interactions.interaction where program_id = $1', [programId]))[0]!.n;
    expect([await count(plain.id), await count(byTag.id), await count(byId.id)]).toEqual([0, 0, 10]);

    // The segment: gzipped CSV whose bytes, sha256 and rows match its manifest and hold exactly the rows that left.
    const [segment] = await databaseQuery<{ object_key: string; manifest_key: string; rows: string; sha256: string }>(
      'select object_key, manifest_key, rows, sha256 from interactions.expired_segment where program_id = $1',
      [plain.id],
    );
    const manifest = JSON.parse((await bytesOf(segment!.manifest_key)).toString('utf8'));
    const object = await bytesOf(segment!.object_key);
    expect(manifest).toMatchObject({
      programId: plain.id,
      rows: 500,
      bytes: object.length,
      sha256: createHash('sha256').update(object).digest('hex'),
      firstAt: '2026-10-01T00:00:00.000Z',
      lastAt: '2026-10-01T00:08:19.000Z',
      compression: 'zstd',
      columns: ['id', 'step_id', 'variant_id', 'control_group', 'contact_id', 'type', 'at'],
    });
    expect([Number(segment!.rows), segment!.sha256]).toEqual([500, manifest.sha256]);
    const lines = zstdDecompressSync(object).toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('id,step_id,variant_id,control_group,contact_id,type,at');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual([...plain.ids].sort());
  });

  it('restores by id, by tag and in bulk with every row back exactly, and the data expires again after another period', async () => {
    const workspace = uniqueWorkspace('rst');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const programs: Record<string, { id: string }> = {};
    for (const [name, tags] of [
      ['a', []],
      ['b', ['spring']],
      ['c', ['Spring']],
      ['d', []],
      ['e', []],
    ] as const) {
      const p = (await api('POST', '/v1/campaigns', { name, tags })).body;
      await api('POST', `/v1/campaigns/${p.id}/start`);
      const batch = Array.from({ length: 50 }, (_, i) => ({
        id: randomUUID(),
        programId: p.id,
        contactId: randomUUID(),
        type: 'clicked',
        stepId: `s${i % 3}`,
        controlGroup: i % 7 === 0,
        at: new Date(Date.UTC(2026, 8, 1, 12) + i * 60_000).toISOString(),
      }));
      await api('POST', '/v1/interactions', { interactions: batch });
      programs[name] = p;
    }
    const rowsOf = async () =>
      JSON.stringify(
        await databaseQuery(
          `select id, program_id, step_id, variant_id, control_group, contact_id, type, at
      from interactions.interaction where workspace_id = $1 order by id`,
          [workspace],
        ),
      );
    const before = await rowsOf();
    const all = Object.values(programs).map((p) => p.id);
    for (const id of all) await api('POST', `/v1/campaigns/${id}/stop`);
    const state = async (id: string) => (await api('GET', `/v1/campaigns/${id}`)).body.interactionData.state;
    await waitFor(async () => (await Promise.all(all.map(state))).every((s) => s === 'expired'), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'all five to expire',
    });
    expect(await rowsOf()).toBe('[]');
    expect((await api('POST', `/v1/campaigns/${programs.a!.id}/resume`)).body.code).toBe('INTERACTION_DATA_EXPIRED');

    // While the rows are compared, an active canvas names them all by id: no second expiry yet.
    const guard = (await api('POST', '/v1/canvases', { name: 'Guard', retargeting: { programIds: all } })).body;
    await api('POST', `/v1/canvases/${guard.id}/start`);
    const member = system.client(system.token({ workspace, role: 'member' }));
    expect((await member('POST', '/v1/interactions/restores', { programIds: [programs.a!.id] })).status).toBe(403);
    const restore = async (body: object, programsRestored: number, headers: Record<string, string> = {}) => {
      const started = await api('POST', '/v1/interactions/restores', body, headers);
      expect(started.status).toBe(202);
      expect(started.headers.get('location')).toBe(`/v1/interactions/restores/${started.body.id}`);
      const done = await waitFor(
        async () => {
          const job = (await api('GET', `/v1/interactions/restores/${started.body.id}`)).body;
          return ['succeeded', 'failed'].includes(job.status) ? job : null;
        },
        { timeoutMs: 30_000, what: 'the restore' },
      );
      expect(done).toMatchObject({ status: 'succeeded', result: { programs: programsRestored, rows: programsRestored * 50 } });
    };
    await restore({ programIds: [programs.a!.id] }, 1, { 'idempotency-key': `first-${workspace}` });
    expect(await state(programs.a!.id)).toBe('live');
    // A retry of that request gets its job, though the program is live now; another request under the same key is refused.
    const retried = await api('POST', '/v1/interactions/restores', { programIds: [programs.a!.id] }, { 'idempotency-key': `first-${workspace}` });
    expect([retried.status, retried.body.status, retried.body.result]).toEqual([202, 'succeeded', { programs: 1, rows: 50, alreadyLive: [] }]);
    const reused = await api('POST', '/v1/interactions/restores', { programIds: [programs.b!.id] }, { 'idempotency-key': `first-${workspace}` });
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await state(programs.b!.id)).toBe('expired');
    await restore({ tag: 'SPRING' }, 2);
    await restore({ programIds: [programs.d!.id, programs.e!.id, programs.a!.id] }, 2);
    expect(await rowsOf()).toBe(before);
    const nothing = await api('POST', '/v1/interactions/restores', { programIds: [programs.a!.id] });
    expect([nothing.status, nothing.body.code]).toEqual([422, 'VALIDATION_FAILED']);
    const [{ n }] = await databaseQuery<{ n: number }>(
      `select count(*)::int as n from interactions.outbox
      where subject = 'events.interactions.restore.completed.v1' and envelope->>'workspaceId' = $1`,
      [workspace],
    );
    expect(n).toBe(3);

    // The filter ends: after another period without activity, the data expires again, to a new segment.
    await api('POST', `/v1/canvases/${guard.id}/stop`);
    await waitFor(async () => (await state(programs.a!.id)) === 'expired', { timeoutMs: 30_000, intervalMs: 200, what: 'the second expiry' });
    const segments = await databaseQuery<{ rows: string; restored: boolean }>(
      `select rows, restored_at is not null as restored
      from interactions.expired_segment where program_id = $1 order by expired_at`,
      [programs.a!.id],
    );
    expect(segments).toEqual([
      { rows: '50', restored: true },
      { rows: '50', restored: false },
    ]);
  });

  it('restores a segment written in the earlier format (gzip, with a program_id column)', async () => {
    const workspace = uniqueWorkspace('old');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const p = (await api('POST', '/v1/campaigns', { name: 'Old format' })).body;
    await api('POST', `/v1/campaigns/${p.id}/start`);
    const batch = Array.from({ length: 30 }, (_, i) => ({
      id: randomUUID(),
      programId: p.id,
      contactId: randomUUID(),
      type: 'opened',
      variantId: `v${i % 2}`,
      at: new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString(),
    }));
    await api('POST', '/v1/interactions', { interactions: batch });
    await api('POST', `/v1/campaigns/${p.id}/stop`);
    await waitFor(async () => (await api('GET', `/v1/campaigns/${p.id}`)).body.interactionData.state === 'expired', {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'the expiry',
    });

    // Rewrite the segment as the earlier format was: gzip, program_id as the second column.
    const [segment] = await databaseQuery<{ id: string; object_key: string; manifest_key: string }>(
      'select id, object_key, manifest_key from interactions.expired_segment where program_id = $1',
      [p.id],
    );
    const lines = zstdDecompressSync(await bytesOf(segment!.object_key))
      .toString('utf8')
      .trim()
      .split('\n');
    const csv = `id,program_id,step_id,variant_id,control_group,contact_id,type,at\n${lines
      .slice(1)
      .map((l) => `${l.slice(0, 36)},${p.id}${l.slice(36)}`)
      .join('\n')}\n`;
    const gz = gzipSync(Buffer.from(csv));
    const sha256 = createHash('sha256').update(gz).digest('hex');
    const oldKey = segment!.object_key.replace(/\.csv\.zst$/, '.csv.gz');
    await storage.upload('interactions', oldKey, Readable.from([gz]));
    const manifest = JSON.parse((await bytesOf(segment!.manifest_key)).toString('utf8'));
    await storage.upload(
      'interactions',
      segment!.manifest_key,
      Readable.from([
        JSON.stringify({
          ...manifest,
          objectKey: oldKey,
          bytes: gz.length,
          sha256,
          columns: ['id', 'program_id', 'step_id', 'variant_id', 'control_group', 'contact_id', 'type', 'at'],
          compression: 'gzip',
        }),
      ]),
    );
    await databaseQuery('update interactions.expired_segment set object_key = $2, bytes = $3, sha256 = $4 where id = $1', [
      segment!.id,
      oldKey,
      gz.length,
      sha256,
    ]);

    const started = (await api('POST', '/v1/interactions/restores', { programIds: [p.id] })).body;
    const done = await waitFor(
      async () => {
        const job = (await api('GET', `/v1/interactions/restores/${started.id}`)).body;
        return ['succeeded', 'failed'].includes(job.status) ? job : null;
      },
      { timeoutMs: 30_000, what: 'the restore' },
    );
    expect(done).toMatchObject({ status: 'succeeded', result: { rows: 30 } });
    const rows = await databaseQuery<{ id: string; variant_id: string }>(
      'select id, variant_id from interactions.interaction where program_id = $1 order by id',
      [p.id],
    );
    expect(rows).toEqual(batch.map((b) => ({ id: b.id, variant_id: b.variantId })).sort((a, b) => a.id.localeCompare(b.id)));
  });

  it('keeps interactions that arrive after the data expired, expires them in turn, and restores both segments once each', async () => {
    const workspace = uniqueWorkspace('late');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const p = (await api('POST', '/v1/campaigns', { name: 'Late' })).body;
    await api('POST', `/v1/campaigns/${p.id}/start`);
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: randomUUID(),
        programId: p.id,
        contactId: randomUUID(),
        type: 'received',
        at: new Date(Date.UTC(2026, 7, 1) + i * 1000).toISOString(),
      }));
    const first = batch(20);
    await api('POST', '/v1/interactions', { interactions: first });
    await api('POST', `/v1/campaigns/${p.id}/stop`);
    const segmentsOf = () => databaseQuery<{ rows: string }>('select rows from interactions.expired_segment where program_id = $1 order by expired_at', [p.id]);
    await waitFor(async () => (await segmentsOf()).length === 1, { timeoutMs: 30_000, intervalMs: 200, what: 'the first expiry' });

    // Late: five new ones and a replay of an expired one. Nothing is dropped; they are live until they expire in turn.
    const late = [...batch(5), first[0]!];
    expect((await api('POST', '/v1/interactions', { interactions: late })).body).toMatchObject({ stored: 6 });
    expect((await api('GET', `/v1/campaigns/${p.id}`)).body.interactionData.state).toBe('expired');
    await waitFor(async () => (await segmentsOf()).length === 2, { timeoutMs: 30_000, intervalMs: 200, what: 'the late interactions to expire' });
    expect(await segmentsOf()).toEqual([{ rows: '20' }, { rows: '6' }]);
    const [{ n }] = await databaseQuery<{ n: number }>('select count(*)::int as n from interactions.interaction where program_id = $1', [p.id]);
    expect(n).toBe(0);

    const started = (await api('POST', '/v1/interactions/restores', { programIds: [p.id] })).body;
    const done = await waitFor(
      async () => {
        const job = (await api('GET', `/v1/interactions/restores/${started.id}`)).body;
        return ['succeeded', 'failed'].includes(job.status) ? job : null;
      },
      { timeoutMs: 30_000, what: 'the restore' },
    );
    expect(done).toMatchObject({ status: 'succeeded', result: { rows: 25 } });
    const ids = await databaseQuery<{ id: string }>('select id from interactions.interaction where program_id = $1 order by id', [p.id]);
    expect(ids.map((r) => r.id)).toEqual([...first, ...late.slice(0, 5)].map((i) => i.id).sort());
  });

  it('keeps the segment of an expiry whose process died after it committed, when the job runs again', async () => {
    const workspace = uniqueWorkspace('exp-again');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const p = (await api('POST', '/v1/campaigns', { name: 'Once' })).body;
    await api('POST', `/v1/campaigns/${p.id}/start`);
    await api('POST', '/v1/interactions', {
      interactions: Array.from({ length: 20 }, (_, i) => ({
        id: randomUUID(),
        programId: p.id,
        contactId: randomUUID(),
        type: 'received',
        at: new Date(Date.UTC(2026, 9, 1) + i * 1000).toISOString(),
      })),
    });
    await api('POST', `/v1/campaigns/${p.id}/stop`);
    await waitFor(async () => (await api('GET', `/v1/campaigns/${p.id}`)).body.interactionData.state === 'expired', {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'the expiry',
    });
    const [segment] = await databaseQuery<{ object_key: string; manifest_key: string; bytes: string; sha256: string }>(
      'select object_key, manifest_key, bytes, sha256 from interactions.expired_segment where program_id = $1',
      [p.id],
    );
    // As if the process had died right after its commit: the job is running again, under a lapsed lease.
    const [job] = await databaseQuery<{ id: string }>(
      `update interactions.job set status = 'running', lease_owner = 'gone', lease_expires_at = now() - interval '1 second',
      finished_at = null where kind = 'expire' and params->>'programId' = $1 returning id`,
      [p.id],
    );
    await waitFor(
      async () =>
        (await databaseQuery<{ status: string; attempts: number }>('select status, attempts from interactions.job where id = $1', [job!.id])).some(
          (j) => j.status === 'succeeded' && j.attempts === 2,
        ),
      { timeoutMs: 30_000, what: 'the second attempt' },
    );
    await storage.verify('interactions', segment!.object_key, { bytes: Number(segment!.bytes), sha256: segment!.sha256 });
    expect(await storage.stat('interactions', segment!.manifest_key)).not.toBeNull();
  });

  it('lets no other workspace see, change, target or restore the programs and interaction data of a workspace', async () => {
    const workspace = uniqueWorkspace('iso');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const contactId = randomUUID();
    const campaign = (await api('POST', '/v1/campaigns', { name: 'Mine', tags: ['shared'] })).body;
    const canvas = (await api('POST', '/v1/canvases', { name: 'Mine too', tags: ['shared'] })).body;
    for (const p of [campaign, canvas]) {
      await api('POST', `/v1/${p.kind === 'campaign' ? 'campaigns' : 'canvases'}/${p.id}/start`);
      expect(
        (
          await api('POST', '/v1/interactions', {
            interactions: [{ id: randomUUID(), programId: p.id, contactId, type: 'received', at: '2026-11-20T10:00:00.000Z' }],
          })
        ).body.stored,
      ).toBe(1);
    }
    await api('POST', `/v1/campaigns/${campaign.id}/stop`);
    await waitFor(async () => (await api('GET', `/v1/campaigns/${campaign.id}`)).body.interactionData.state === 'expired', {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'the expiry',
    });
    const restore = (await api('POST', '/v1/interactions/restores', { programIds: [campaign.id] })).body;
    await waitFor(async () => (await api('GET', `/v1/interactions/restores/${restore.id}`)).body.status === 'succeeded', {
      timeoutMs: 30_000,
      what: 'the restore',
    });
    // What the workspace itself sees, so that the other's empty answers mean something.
    expect((await api('GET', `/v1/interactions/contacts/${contactId}/received`)).body.canvases).toMatchObject([{ programId: canvas.id }]);
    expect((await api('POST', '/v1/interactions/audience', { interaction: 'received', tag: 'shared' })).body.contactIds).toEqual([contactId]);

    const other = system.client(system.token({ workspace: uniqueWorkspace('iso-other'), role: 'owner' }));
    const statusOf = async (method: string, path: string, body?: object) => {
      const res = await other(method, path, body);
      return [res.status, res.body.code];
    };
    for (const [path, p] of [
      ['campaigns', campaign],
      ['canvases', canvas],
    ] as const) {
      expect(await statusOf('GET', `/v1/${path}/${p.id}`)).toEqual([404, 'NOT_FOUND']);
      expect(await statusOf('PATCH', `/v1/${path}/${p.id}`, { name: 'Taken' })).toEqual([404, 'NOT_FOUND']);
      for (const action of ['start', 'stop', 'resume']) expect(await statusOf('POST', `/v1/${path}/${p.id}/${action}`)).toEqual([404, 'NOT_FOUND']);
      expect((await other('GET', `/v1/${path}?tag=shared`)).body.items).toEqual([]);
    }
    expect(await statusOf('POST', '/v1/canvases', { name: 'Borrowing', retargeting: { programIds: [campaign.id] } })).toEqual([422, 'VALIDATION_FAILED']);
    expect(await statusOf('POST', '/v1/interactions/restores', { programIds: [campaign.id] })).toEqual([422, 'UNKNOWN_PROGRAM']);
    const byTag = await other('POST', '/v1/interactions/restores', { tag: 'shared' });
    expect([byTag.status, byTag.body.errors]).toEqual([422, [{ path: 'tag', message: 'matches nothing' }]]);
    expect(await statusOf('GET', `/v1/interactions/restores/${restore.id}`)).toEqual([404, 'NOT_FOUND']);
    expect(await statusOf('POST', '/v1/interactions/audience', { interaction: 'received', programId: canvas.id })).toEqual([404, 'NOT_FOUND']);
    expect((await other('POST', '/v1/interactions/audience', { interaction: 'received', tag: 'shared' })).body).toEqual({
      contactIds: [],
      nextCursor: null,
      expiredProgramIds: [],
    });
    expect((await other('GET', `/v1/interactions/contacts/${contactId}/received`)).body).toEqual({ campaigns: [], canvases: [] });
    expect((await other('GET', '/v1/interactions/expiring?withinDays=30')).body.items).toEqual([]);
    expect((await api('GET', `/v1/campaigns/${campaign.id}`)).body.name).toBe('Mine');
  });
});
