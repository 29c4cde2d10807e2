import { createHash } from 'node:crypto';
import { zstdDecompressSync } from 'node:zlib';
import { ObjectStorage, objectKey, parseStorageConfig } from '@custodian/storage';
import { databaseQuery, stackEnv, TestSystem, uniqueWorkspace, waitFor } from '@custodian/testing';

describe('interaction data expiry across a crash', () => {
  const system = new TestSystem(['interactions'], { INTERACTIONS_EXPIRE_AFTER: '1s', INTERACTIONS_SWEEP_INTERVAL: '250ms', INTERACTIONS_JOB_LEASE: '2s' });
  const storage = new ObjectStorage(parseStorageConfig(stackEnv()));

  beforeAll(() => system.start());
  afterAll(() => system.stop());

  const bytesOf = (key: string) => storage.readSmall('interactions', key, 64 * 1024 * 1024);

  it('loses and duplicates nothing when the process dies mid-expiry, and finishes after the restart', async () => {
    const workspace = uniqueWorkspace('expkill');
    const api = system.client(system.token({ workspace, role: 'admin' }));
    const campaign = (await api('POST', '/v1/campaigns', { name: 'Large' })).body;
    await api('POST', `/v1/campaigns/${campaign.id}/start`);
    const rows = 300_000;
    // A large campaign's interactions, written in one statement.
    await databaseQuery(
      `insert into interactions.interaction (workspace_id, id, program_id, variant_id, contact_id, type, at)
      select $1, gen_random_uuid(), $2, 'v' || (i % 3), gen_random_uuid(), (array['received','opened','clicked','converted'])[1 + i % 4],
             timestamptz '2026-06-01' + make_interval(secs => i)
      from generate_series(1, $3::int) i`,
      [workspace, campaign.id, rows],
    );
    const [{ fingerprint }] = await databaseQuery<{ fingerprint: string }>(
      `select md5(string_agg(id::text, ',' order by id)) as fingerprint
      from interactions.interaction where program_id = $1`,
      [campaign.id],
    );
    await api('POST', `/v1/campaigns/${campaign.id}/stop`);

    const job = await waitFor(
      async () =>
        (
          await databaseQuery<{ id: string; requested_at: Date }>(
            `select id, requested_at from interactions.job
      where workspace_id = $1 and kind = 'expire' and status = 'running'`,
            [workspace],
          )
        )[0],
      { timeoutMs: 15_000, intervalMs: 20, what: 'the expiry to run' },
    );
    await system.service('interactions').kill();
    // Down mid-expiry: every row is still in PostgreSQL.
    const [down] = await databaseQuery<{ n: number; state: string }>(
      `select (select count(*)::int from interactions.interaction where program_id = $1) as n,
      (select interaction_data from interactions.program where id = $1) as state`,
      [campaign.id],
    );
    expect(down).toEqual({ n: rows, state: 'live' });
    await system.service('interactions').start();

    await waitFor(async () => (await api('GET', `/v1/campaigns/${campaign.id}`)).body.interactionData.state === 'expired', {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the expiry to finish after the restart',
    });
    const [{ left }] = await databaseQuery<{ left: number }>('select count(*)::int as left from interactions.interaction where program_id = $1', [campaign.id]);
    expect(left).toBe(0);
    const segments = await databaseQuery<{ object_key: string; manifest_key: string; rows: string }>(
      'select object_key, manifest_key, rows from interactions.expired_segment where program_id = $1',
      [campaign.id],
    );
    expect(segments).toHaveLength(1);
    const object = await bytesOf(segments[0]!.object_key);
    const manifest = JSON.parse((await bytesOf(segments[0]!.manifest_key)).toString('utf8'));
    expect(manifest).toMatchObject({ rows, bytes: object.length, sha256: createHash('sha256').update(object).digest('hex') });
    // Exactly the rows that were there: same ids, each once.
    const ids = zstdDecompressSync(object)
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.slice(0, 36))
      .sort();
    expect(ids).toHaveLength(rows);
    expect(createHash('md5').update(ids.join(',')).digest('hex')).toBe(fingerprint);
    // What the killed attempt had written is gone.
    const firstAttempt = objectKey(workspace, 'interactions', `${campaign.id}-${job.id}-1`, 'csv.zst', new Date(job.requested_at));
    expect(segments[0]!.object_key).not.toBe(firstAttempt);
    expect(await storage.stat('interactions', firstAttempt)).toBeNull();
  });
});
