import { randomUUID } from 'node:crypto';
import { databaseQuery, TestSystem, uniqueWorkspace } from '@custodian/testing';

type Api = ReturnType<TestSystem['client']>;

describe('interactions: campaigns, canvases and ingestion', () => {
  const system = new TestSystem(['interactions'], { INTERACTIONS_EXPIRE_AFTER: '1h' });

  beforeAll(() => system.start());
  afterAll(() => system.stop());

  const interaction = (programId: string, type = 'opened', extra: object = {}) => ({
    id: randomUUID(), programId, contactId: randomUUID(), type, at: '2026-11-20T10:00:00.000Z', ...extra,
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
    const spring = await created(api, 'campaigns', { name: 'Spring', tags: ['Promo'], variants: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }] });
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

    // Retargeted by tag only: still expiring. Named by id in an active canvas's filter: live.
    await api('PATCH', `/v1/canvases/${journey.id}`, { retargeting: { tags: ['promo'] } });
    await api('POST', `/v1/canvases/${journey.id}/start`);
    expect((await api('GET', `/v1/campaigns/${spring.id}`)).body.interactionData.state).toBe('expiring');
    await api('PATCH', `/v1/canvases/${journey.id}`, { retargeting: { programIds: [spring.id] } });
    expect((await api('GET', `/v1/campaigns/${spring.id}`)).body.interactionData).toEqual({ state: 'live', expiresAt: null, expiredAt: null });
    await api('POST', `/v1/canvases/${journey.id}/stop`);
    expect((await api('GET', `/v1/campaigns/${spring.id}`)).body.interactionData.state).toBe('expiring');

    expect((await api('POST', `/v1/campaigns/${spring.id}/resume`)).body).toMatchObject({ status: 'active', stoppedAt: null, interactionData: { state: 'live' } });
    const unknown = await api('PATCH', `/v1/canvases/${journey.id}`, { retargeting: { programIds: [randomUUID()] } });
    expect([unknown.status, unknown.body.code]).toEqual([422, 'VALIDATION_FAILED']);
  });

  it('stores each interaction once, refuses a batch naming an unknown program as a whole, and lets only its workspace see anything', async () => {
    const workspace = uniqueWorkspace('ingest');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const campaign = await created(api, 'campaigns', { name: 'Launch' });
    const batch = [interaction(campaign.id, 'received', { variantId: 'a' }), interaction(campaign.id, 'opened'), interaction(campaign.id, 'clicked', { controlGroup: true })];
    expect((await api('POST', '/v1/interactions', { interactions: batch })).body).toEqual({ received: 3, stored: 3, duplicates: 0 });
    // Replayed, with one new interaction: only the new one is stored.
    const again = await api('POST', '/v1/interactions', { interactions: [...batch, interaction(campaign.id, 'converted')] });
    expect(again.body).toEqual({ received: 4, stored: 1, duplicates: 3 });

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
});
