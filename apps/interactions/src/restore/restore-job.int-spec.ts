import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { loadConfig } from '@custodian/config';
import {
  ErrorCode,
  interactionRestoreCompletedV1,
  interactionRestoreFailedV1,
  systemContext,
  type CommandContext,
  type InteractionType,
} from '@custodian/contracts';
import type { JobRunner } from '@custodian/jobs';
import { handleCommand, jobEnded, mediumRunner, mediumStack, outboxEvents, runJob, stackEnv, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import { InteractionsEnv } from '../config.js';
import { ExpireJob, type ExpireParams, type ExpireResult } from '../expiry/expire-job.js';
import { IngestHandlers } from '../ingest/ingest.handlers.js';
import { MIGRATIONS } from '../migrations.js';
import { partitionOf } from '../programs/partitions.js';
import { ProgramHandlers } from '../programs/programs.handlers.js';
import { RestoreJob, type InteractionRestoreParams, type InteractionRestoreResult } from './restore-job.js';
import { RestoreHandlers } from './restores.handlers.js';

interface Segment {
  id: string;
  object_key: string;
  manifest_key: string;
  rows: string;
  bytes: string;
  sha256: string;
  restored_at: Date | null;
}

describe('the interaction restore job (medium: real database and S3)', () => {
  let stack: MediumStack;
  let env: InteractionsEnv;
  let programs: ProgramHandlers;
  let ingest: IngestHandlers;
  let expiries: ExpireJob;
  let restores: RestoreJob;
  let runner: JobRunner;
  let handlers: RestoreHandlers;

  beforeAll(async () => {
    stack = await mediumStack('interactions', MIGRATIONS, ['interactions']);
    env = loadConfig(InteractionsEnv, stackEnv());
    programs = new ProgramHandlers(stack.ds, env);
    ingest = new IngestHandlers(stack.ds);
    expiries = new ExpireJob(stack.ds, stack.storage, env);
    restores = new RestoreJob(stack.ds, stack.storage, env);
    // The restore handlers queue the job; this runner (the app's, for restores) runs it.
    runner = mediumRunner(stack, [restores.definition]);
    handlers = new RestoreHandlers(stack.ds, stack.jobs, runner, restores);
    runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await stack?.close();
  });

  const user = (ws: string): CommandContext => ({ workspaceId: ws, actor: { id: 'user-1', role: 'admin' }, origin: 'api', correlationId: randomUUID() });

  /** The full rows of a program's partition, in id order (without seq, which a restore renumbers). */
  const rowsOf = (programId: string) =>
    stack.ds.query(`select workspace_id, id, program_id, step_id, variant_id, control_group, contact_id, type, at
    from ${partitionOf(programId)} order by id`) as Promise<Record<string, unknown>[]>;

  /** A campaign with `n` interactions, stopped long ago and expired by the expiry job: answers its id, its rows before, and its segment. */
  async function expiredCampaign(ws: string, n: number) {
    const program = await handleCommand(programs, 'create', user(ws), { kind: 'campaign', name: 'Spring sale', tags: ['spring'] });
    await handleCommand(programs, 'transition', user(ws), { kind: 'campaign', id: program.id, action: 'start' });
    const types: InteractionType[] = ['received', 'opened', 'clicked', 'converted'];
    await handleCommand(ingest, 'ingest', user(ws), {
      interactions: Array.from({ length: n }, (_, i) => ({
        id: randomUUID(),
        programId: program.id,
        stepId: `step-${i % 3}`,
        contactId: randomUUID(),
        type: types[i % types.length]!,
        controlGroup: i % 5 === 0,
        at: new Date(Date.UTC(2026, 4, 1, 8, i)).toISOString(),
      })),
    });
    const before = await rowsOf(program.id);
    await handleCommand(programs, 'transition', user(ws), { kind: 'campaign', id: program.id, action: 'stop' });
    await stack.ds.query(
      `update program set stopped_at = stopped_at - make_interval(secs => $2), last_activity_at = last_activity_at - make_interval(secs => $2)
      where id = $1`,
      [program.id, env.INTERACTIONS_EXPIRE_AFTER / 1000 + 3600],
    );
    const expired = await runJob<ExpireParams, ExpireResult>(stack, expiries.definition, {
      workspaceId: ws,
      requestedBy: 'system',
      params: { programId: program.id, context: systemContext(ws) },
      concurrencyKey: `program:${program.id}`,
    });
    expect(expired.result).toMatchObject({ rows: n });
    expect(await rowsOf(program.id)).toEqual([]);
    const [segment] = (await stack.ds.query('select * from expired_segment where program_id = $1', [program.id])) as Segment[];
    return { id: program.id, before, segment: segment! };
  }

  const programState = async (id: string) =>
    (
      (await stack.ds.query('select interaction_data, expired_at, last_activity_at from program where id = $1', [id])) as [
        { interaction_data: string; expired_at: Date | null; last_activity_at: Date },
      ]
    )[0];

  it("brings an expired program's rows back, as many as its segment, and marks it live", async () => {
    const ws = uniqueWorkspace('int');
    const { id, before, segment } = await expiredCampaign(ws, 40);
    const context = user(ws);

    const job = await handleCommand(handlers, 'start', context, { programIds: [id] });
    const done = await jobEnded<InteractionRestoreParams, InteractionRestoreResult>(stack, restores.definition, ws, job.id);

    expect(done.status).toBe('succeeded');
    expect(done.result).toEqual({ programs: 1, rows: 40, alreadyLive: [] });
    const after = await rowsOf(id);
    expect(after).toHaveLength(Number(segment.rows));
    expect(after).toEqual(before);
    const program = await programState(id);
    expect(program).toMatchObject({ interaction_data: 'live', expired_at: null });
    // Restored is activity: the expiry clock starts again from the restore.
    expect(program.last_activity_at.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const [{ restored_at }] = (await stack.ds.query('select restored_at from expired_segment where id = $1', [segment.id])) as [{ restored_at: Date | null }];
    expect(restored_at).toEqual(expect.any(Date));
    const completed = await outboxEvents(stack, interactionRestoreCompletedV1, ws);
    expect(completed.map((e) => e.data)).toEqual([{ jobId: job.id, programIds: [id], rows: 40 }]);
    expect(completed[0]!.correlationId).toBe(context.correlationId);
    expect(await outboxEvents(stack, interactionRestoreFailedV1, ws)).toEqual([]);
  });

  it('fails with SEGMENT_CORRUPT when the segment was altered in storage, loading nothing, and the program goes back to expired', async () => {
    const ws = uniqueWorkspace('int');
    const { id, segment } = await expiredCampaign(ws, 12);
    // One interaction's type changed: still a well-formed segment of the same rows, but not the bytes recorded at expiry.
    const csv = zstdDecompressSync(await stack.storage.readSmall('interactions', segment.object_key)).toString('utf8');
    const altered = csv.replace(',received,', ',converted,');
    expect(altered).not.toBe(csv);
    await stack.storage.upload('interactions', segment.object_key, Readable.from([zstdCompressSync(Buffer.from(altered))]), {
      contentType: 'application/zstd',
    });

    const job = await handleCommand(handlers, 'start', user(ws), { programIds: [id] });
    const done = await jobEnded(stack, restores.definition, ws, job.id);

    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(ErrorCode.SegmentCorrupt);
    expect(done.error?.message).toContain(segment.object_key);
    expect(await rowsOf(id)).toEqual([]);
    expect(await programState(id)).toMatchObject({ interaction_data: 'expired', expired_at: expect.any(Date) });
    const [{ restored_at }] = (await stack.ds.query('select restored_at from expired_segment where id = $1', [segment.id])) as [{ restored_at: Date | null }];
    expect(restored_at).toBeNull();
    const failed = await outboxEvents(stack, interactionRestoreFailedV1, ws);
    expect(failed.map((e) => e.data)).toEqual([{ jobId: job.id, programIds: [id], code: ErrorCode.SegmentCorrupt, message: done.error!.message }]);
    expect(await outboxEvents(stack, interactionRestoreCompletedV1, ws)).toEqual([]);
  });
  it.each([
    ['no longer decompresses', () => Buffer.from('not a zstd frame at all')],
    ['is cut short', (stored: Buffer) => stored.subarray(0, Math.floor(stored.length / 2))],
    [
      'holds a row the table refuses',
      (stored: Buffer) =>
        zstdCompressSync(
          Buffer.from(
            zstdDecompressSync(stored)
              .toString('utf8')
              .replace(/\n[0-9a-f-]{36},/, '\nnot-a-uuid,'),
          ),
        ),
    ],
  ])('fails with SEGMENT_CORRUPT when the segment in storage %s, and the program goes back to expired', async (_what, damage) => {
    const ws = uniqueWorkspace('int');
    const { id, segment } = await expiredCampaign(ws, 12);
    const damaged = damage(await stack.storage.readSmall('interactions', segment.object_key));
    await stack.storage.upload('interactions', segment.object_key, Readable.from([damaged]), { contentType: 'application/zstd' });

    const job = await handleCommand(handlers, 'start', user(ws), { programIds: [id] });
    const done = await jobEnded(stack, restores.definition, ws, job.id);

    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(ErrorCode.SegmentCorrupt);
    expect(done.error?.message).toContain(segment.object_key);
    expect(await rowsOf(id)).toEqual([]);
    expect(await programState(id)).toMatchObject({ interaction_data: 'expired' });
  });
});
