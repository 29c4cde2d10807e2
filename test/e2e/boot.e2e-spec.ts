import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, stackEnv, TestSystem, uniqueWorkspace } from '@custodian/testing';

describe('configuration and roles', () => {
  it('refuses to start with a missing or invalid variable, naming it', () => {
    const env = { ...process.env, ...stackEnv(), DATABASE_URL: '', CONTACTS_JOB_LEASE: 'soon', CONTACTS_HTTP_PORT: '70000' };
    const run = spawnSync(process.execPath, [join(ROOT, 'apps/contacts/dist/main.js')], { env, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/DATABASE_URL/);
    expect(run.stderr).toMatch(/CONTACTS_JOB_LEASE/);
    expect(run.stderr).toMatch(/CONTACTS_HTTP_PORT/);

    const gateway = spawnSync(process.execPath, [join(ROOT, 'apps/gateway/dist/main.js')], {
      env: { ...process.env, ...stackEnv(), GATEWAY_JWT_SECRET: 'short' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(gateway.status).toBe(1);
    expect(gateway.stderr).toMatch(/GATEWAY_JWT_SECRET/);
  });

  describe('a member', () => {
    const system = new TestSystem(['contacts']);
    beforeAll(() => system.start());
    afterAll(() => system.stop());

    it('may read and edit, but not delete, merge, archive or import', async () => {
      const workspace = uniqueWorkspace('roles');
      const owner = system.client(system.token({ workspace, role: 'owner' }));
      const member = system.client(system.token({ workspace, role: 'member' }));
      const a = (await owner('POST', '/v1/contacts', { email: 'role-a@example.com' })).body;
      const b = (await owner('POST', '/v1/contacts', { email: 'role-b@example.com' })).body;
      expect((await member('GET', `/v1/contacts/${a.id}`)).status).toBe(200);
      expect((await member('PATCH', `/v1/contacts/${a.id}`, { firstName: 'Edited' })).status).toBe(200);
      const refused = await Promise.all([
        member('DELETE', `/v1/contacts/${a.id}`),
        member('POST', '/v1/contacts/merge', { primaryId: a.id, duplicateId: b.id }),
        member('POST', `/v1/contacts/${a.id}/archive`, {}),
        member('POST', '/v1/contacts/archive', { emails: ['role-a@example.com'] }),
      ]);
      expect(refused.map((r) => [r.status, r.body.code])).toEqual(Array(4).fill([403, 'FORBIDDEN']));
      expect((await owner('GET', `/v1/contacts/${b.id}`)).status).toBe(200);
    });
  });
});
