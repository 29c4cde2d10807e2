import { randomUUID } from 'node:crypto';
import { zstdDecompressSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { loadConfig } from '@custodian/config';
import { interactionDataExpiredV1, programChangedV1, systemContext, type CommandContext, type InteractionType } from '@custodian/contracts';
import { handleCommand, mediumStack, outboxEvents, runJob, stackEnv, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import { InteractionsEnv } from '../config.js';
import { IngestHandlers } from '../ingest/ingest.handlers.js';
import { MIGRATIONS } from '../migrations.js';
import { partitionOf } from '../programs/partitions.js';
import { ProgramHandlers } from '../programs/programs.handlers.js';
import { ExpireJob, SEGMENT_COLUMNS, type ExpireParams, type ExpireResult } from './expire-job.js';

describe('the interaction expiry job (medium: real database and S3)', () => {
  let stack: MediumStack;
  let env: InteractionsEnv;
  let programs: ProgramHandlers;
  let ingest: IngestHandlers;
  let expiries: ExpireJob;

  beforeAll(async () => {
    stack = await mediumStack('interactions', MIGRATIONS, ['interactions']);
    env = loadConfig(InteractionsEnv, stackEnv());
    programs = new ProgramHandlers(stack.ds, env);
    ingest = new IngestHandlers(stack.ds);
    expiries = new ExpireJob(stack.ds, stack.storage, env);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const user = (ws: string): CommandContext => ({ workspaceId: ws, actor: { id: 'user-1', role: 'admin' }, origin: 'api', correlationId: randomUUID() });

  /** A campaign created and started by the program handlers, with `n` interactions ingested; answers its id and the interactions. */
  async function campaignWith(ws: string, n: number) {
    const program = await handleCommand(programs, 'create', user(ws), { kind: 'campaign', name: 'Spring sale', variants: [{ id: 'a', name: 'A' }] });
    await handleCommand(programs, 'transition', user(ws), { kind: 'campaign', id: program.id, action: 'start' });
    const types: InteractionType[] = ['received', 'opened', 'clicked'];
    const interactions = Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      programId: program.id,
      variantId: 'a',
      contactId: randomUUID(),
      type: types[i % types.length]!,
      at: new Date(Date.UTC(2026, 4, 1, 8, i)).toISOString(),
    }));
    const reply = await handleCommand(ingest, 'ingest', user(ws), { interactions });
    expect(reply.stored).toBe(n);
    return { id: program.id, interactions };
  }

  /** Stops the program, then moves its stop (and last activity) back past the expiry delay. */
  async function stopLongAgo(ws: string, id: string) {
    await handleCommand(programs, 'transition', user(ws), { kind: 'campaign', id, action: 'stop' });
    await stack.ds.query(
      `update program set stopped_at = stopped_at - make_interval(secs => $2), last_activity_at = last_activity_at - make_interval(secs => $2)
      where id = $1`,
      [id, env.INTERACTIONS_EXPIRE_AFTER / 1000 + 3600],
    );
  }

  const expire = (ws: string, programId: string) =>
    runJob<ExpireParams, ExpireResult>(stack, expiries.definition, {
      workspaceId: ws,
      requestedBy: 'system',
      params: { programId, context: systemContext(ws) },
      concurrencyKey: `program:${programId}`,
    });

  async function objects(ws: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const o of stack.storage.list('interactions', `${ws}/`)) keys.push(o.key);
    return keys.sort();
  }

  const rowsOf = async (programId: string) => ((await stack.ds.query(`select count(*)::int as n from ${partitionOf(programId)}`)) as [{ n: number }])[0].n;

  it('moves the rows of a stopped program past its expiry to a segment and its manifest, recorded, then out of the partition', async () => {
    const ws = uniqueWorkspace('int');
    const { id, interactions } = await campaignWith(ws, 25);
    await stopLongAgo(ws, id);

    const done = await expire(ws, id);

    expect(done.status).toBe('succeeded');
    const result = done.result as Extract<ExpireResult, { rows: number }>;
    expect(result).toMatchObject({ rows: 25, bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await rowsOf(id)).toBe(0);
    const [{ n: left }] = (await stack.ds.query('select count(*)::int as n from interaction where program_id = $1', [id])) as [{ n: number }];
    expect(left).toBe(0);

    const [segment] = (await stack.ds.query('select * from expired_segment where program_id = $1', [id])) as {
      workspace_id: string;
      object_key: string;
      manifest_key: string;
      rows: string;
      bytes: string;
      sha256: string;
      first_at: Date;
      last_at: Date;
      restored_at: Date | null;
    }[];
    expect(segment).toMatchObject({
      workspace_id: ws,
      object_key: result.objectKey,
      manifest_key: result.manifestKey,
      rows: '25',
      bytes: String(result.bytes),
      sha256: result.sha256,
      restored_at: null,
    });
    expect(segment!.first_at.toISOString()).toBe(interactions[0]!.at);
    expect(segment!.last_at.toISOString()).toBe(interactions[24]!.at);
    expect(await objects(ws)).toEqual([result.manifestKey!, result.objectKey!].sort());

    // The object is what was recorded, byte for byte, and holds every row.
    await expect(stack.storage.verify('interactions', result.objectKey!, { bytes: result.bytes!, sha256: result.sha256! })).resolves.toBeUndefined();
    const compressed = await stack.storage.readSmall('interactions', result.objectKey!);
    const rows = parse(zstdDecompressSync(compressed).toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...SEGMENT_COLUMNS]);
    expect(rows.map((r) => r.id).sort()).toEqual(interactions.map((i) => i.id).sort());
    const first = rows.find((r) => r.id === interactions[0]!.id)!;
    expect(first).toMatchObject({ contact_id: interactions[0]!.contactId, type: 'received', variant_id: 'a', control_group: 'f' });
    expect(new Date(first.at!).toISOString()).toBe(interactions[0]!.at);
    const manifest = JSON.parse((await stack.storage.readSmall('interactions', result.manifestKey!)).toString('utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      programId: id,
      objectKey: result.objectKey,
      rows: 25,
      bytes: result.bytes,
      sha256: result.sha256,
      columns: [...SEGMENT_COLUMNS],
      compression: 'zstd',
      header: true,
      firstAt: interactions[0]!.at,
      lastAt: interactions[24]!.at,
    });

    const [program] = (await stack.ds.query('select interaction_data, expired_at from program where id = $1', [id])) as {
      interaction_data: string;
      expired_at: Date | null;
    }[];
    expect(program).toMatchObject({ interaction_data: 'expired', expired_at: expect.any(Date) });
    const events = await outboxEvents(stack, interactionDataExpiredV1, ws);
    expect(events.map((e) => e.data)).toEqual([
      {
        programId: id,
        objectKey: result.objectKey,
        manifestKey: result.manifestKey,
        rows: 25,
        bytes: result.bytes,
        sha256: result.sha256,
        firstAt: interactions[0]!.at,
        lastAt: interactions[24]!.at,
      },
    ]);
    expect(events[0]!.actor.id).toBe('system');
  });

  it('skips a program that is no longer due: resumed after it was queued', async () => {
    const ws = uniqueWorkspace('int');
    const { id } = await campaignWith(ws, 5);
    await stopLongAgo(ws, id);
    await handleCommand(programs, 'transition', user(ws), { kind: 'campaign', id, action: 'resume' });

    const done = await expire(ws, id);

    expect(done.status).toBe('succeeded');
    expect(done.result).toEqual({ skipped: expect.stringContaining('no longer due') });
    expect(await rowsOf(id)).toBe(5);
    expect(await stack.ds.query('select * from expired_segment where program_id = $1', [id])).toEqual([]);
    expect(await objects(ws)).toEqual([]);
    expect(await outboxEvents(stack, interactionDataExpiredV1, ws)).toEqual([]);
    const [program] = (await stack.ds.query('select status, interaction_data from program where id = $1', [id])) as {
      status: string;
      interaction_data: string;
    }[];
    expect(program).toEqual({ status: 'active', interaction_data: 'live' });
  });

  it('skips a stopped program past its delay that an active program retargets by id', async () => {
    const ws = uniqueWorkspace('int');
    const { id } = await campaignWith(ws, 3);
    await stopLongAgo(ws, id);
    const retargeting = await handleCommand(programs, 'create', user(ws), { kind: 'campaign', name: 'Win-back', retargeting: { programIds: [id] } });
    await handleCommand(programs, 'transition', user(ws), { kind: 'campaign', id: retargeting.id, action: 'start' });

    const done = await expire(ws, id);

    expect(done.result).toEqual({ skipped: expect.stringContaining('no longer due') });
    expect(await rowsOf(id)).toBe(3);
    expect(await objects(ws)).toEqual([]);
    expect(await outboxEvents(stack, interactionDataExpiredV1, ws)).toEqual([]);
    // The program handlers recorded their changes; the expiry recorded none.
    expect((await outboxEvents(stack, programChangedV1, ws)).map((e) => e.data.change)).toEqual(['created', 'started', 'stopped', 'created', 'started']);
  });
});
