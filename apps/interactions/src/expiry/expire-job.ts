import { interactionDataExpiredV1, type CommandContext } from '@custodian/contracts';
import { defineJob, type ClaimedJob, type JobContext } from '@custodian/jobs';
import { recordEvent } from '@custodian/messaging';
import { withRunner } from '@custodian/persistence';
import { copyToObject, objectKey, ObjectStorage, type StoredObject } from '@custodian/storage';
import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import { InteractionsEnv } from '../config.js';
import { partitionOf } from '../programs/partitions.js';
import { dueToExpireSql } from '../programs/program-view.js';

export interface ExpireParams {
  programId: string;
  context: CommandContext;
}

/** The segment written, or why nothing was: the program was no longer due, or had no rows. */
export type ExpireResult = { rows: number; bytes?: number; sha256?: string; objectKey?: string; manifestKey?: string } | { skipped: string };

/**
 * The columns of an expired segment, in order; its manifest lists them, and a restore reads back
 * what the manifest says. The program is the segment's own, so it is in the manifest, not on
 * every row (segments written before carry a program_id column too).
 */
export const SEGMENT_COLUMNS = ['id', 'step_id', 'variant_id', 'control_group', 'contact_id', 'type', 'at'] as const;

/** A segment as written: its object, with the rows COPY sent. */
type WrittenSegment = StoredObject & { rows: number };

/** Keys of an attempt's segment and manifest: derived from the job, so a later attempt can remove an earlier one's. */
function segmentKeys(job: ClaimedJob<ExpireParams>, programId: string, attempt: number) {
  const ws = job.params.context.workspaceId;
  const at = job.requestedAt;
  const id = `${programId}-${job.id}-${attempt}`;
  return { objectKey: objectKey(ws, 'interactions', id, 'csv.zst', at), manifestKey: objectKey(ws, 'interactions', id, 'manifest.json', at) };
}

/**
 * Moves a program's interaction data to object storage: the rows stored so far go to a compressed
 * CSV and its manifest, and only once both are written do they leave PostgreSQL, in the
 * transaction that marks the data expired. Rows that arrive meanwhile stay live.
 */
@Injectable()
export class ExpireJob {
  readonly definition = defineJob<ExpireParams, ExpireResult>({
    kind: 'expire',
    timeout: this.env.INTERACTIONS_JOB_TIMEOUT,
    maxAttempts: 5,
    run: (job, ctx) => this.run(job, ctx),
  });

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    @Inject(InteractionsEnv) private readonly env: InteractionsEnv,
  ) {}

  private get expireAfterSecs() {
    return this.env.INTERACTIONS_EXPIRE_AFTER / 1000;
  }

  /**
   * The steps of an expiry: remove what earlier attempts left, fix the rows to move under the
   * program's lock, write them out as a segment, then move them out in one transaction with the
   * manifest, the record and the job's end.
   */
  private async run(job: ClaimedJob<ExpireParams>, ctx: JobContext<ExpireResult>): Promise<ExpireResult> {
    await this.removeEarlierAttempts(job);
    const upTo = await this.fixRowsToMove(job.params);
    if (upTo === null) return { skipped: 'the program is no longer due (resumed, retargeted or already expired)' };
    if (upTo === 'nothing') return { rows: 0 };
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const keys = segmentKeys(job, job.params.programId, job.attempt);
    const segment = await this.writeSegment(job.params, keys, upTo);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    return this.moveOut(job.params, ctx, keys, segment, upTo);
  }

  /** What an earlier attempt wrote before it died is not the record, unless that attempt committed it: removes the rest. */
  private async removeEarlierAttempts(job: ClaimedJob<ExpireParams>): Promise<void> {
    const p = job.params;
    const earlier = Array.from({ length: job.attempt - 1 }, (_, i) => segmentKeys(job, p.programId, i + 1)).flatMap((k) => [k.objectKey, k.manifestKey]);
    if (earlier.length) {
      const kept = (await this.ds.query('select object_key, manifest_key from expired_segment where object_key = any($1) or manifest_key = any($1)', [
        earlier,
      ])) as { object_key: string; manifest_key: string }[];
      const recorded = new Set(kept.flatMap((k) => [k.object_key, k.manifest_key]));
      await this.storage.removeMany(
        'interactions',
        earlier.filter((key) => !recorded.has(key)),
      );
    }
  }

  /**
   * Under the program's lock, ingestion (which holds it shared) has committed all it will write, and
   * whatever it writes later takes a sequence number past the one read here: the rows to move are
   * those up to it, fixed without reading them. Null when the program is no longer due; `nothing`
   * when it expired already and nothing arrived since.
   */
  private async fixRowsToMove(p: ExpireParams): Promise<string | 'nothing' | null> {
    const ws = p.context.workspaceId;
    const table = partitionOf(p.programId);
    return this.ds.transaction(async (em) => {
      const state = await this.stillDue(em, ws, p.programId);
      if (state === null) return null;
      // Expired already and nothing arrived since: the activity that made it due left no rows to move.
      const [{ any }] = (await em.query(`select exists (select 1 from ${table}) as any`)) as [{ any: boolean }];
      if (state === 'expired' && !any) {
        await em.query('update program set expired_at = now() where id = $1', [p.programId]);
        return 'nothing';
      }
      const [seq] = (await em.query('select last_value, is_called from interaction_seq')) as [{ last_value: string; is_called: boolean }];
      return (BigInt(seq.last_value) - (seq.is_called ? 0n : 1n)).toString();
    });
  }

  /** The rows up to `upTo` as a compressed CSV in the interactions bucket. */
  private writeSegment(p: ExpireParams, keys: { objectKey: string }, upTo: string): Promise<WrittenSegment> {
    const table = partitionOf(p.programId);
    return withRunner(this.ds, (runner) =>
      copyToObject(
        runner,
        `copy (select ${SEGMENT_COLUMNS.join(', ')} from ${table} where seq <= ${upTo})
      to stdout with (format csv, header true)`,
        this.storage,
        'interactions',
        keys.objectKey,
        { compression: 'zstd' },
      ),
    );
  }

  /**
   * One transaction: the rows are counted against the object, the manifest is written, and only
   * then (at commit) do they leave. A failure anywhere leaves every row in place.
   */
  private moveOut(
    p: ExpireParams,
    ctx: JobContext<ExpireResult>,
    keys: { objectKey: string; manifestKey: string },
    segment: WrittenSegment,
    upTo: string,
  ): Promise<ExpireResult> {
    const ws = p.context.workspaceId;
    const table = partitionOf(p.programId);
    return this.ds.transaction(async (em) => {
      if ((await this.stillDue(em, ws, p.programId)) === null) {
        await this.storage.removeMany('interactions', [keys.objectKey]);
        return { skipped: 'the program became active or retargeted while its data was being written out' };
      }
      const [count] = (await em.query(
        `select count(*) filter (where seq <= $1)::int as fixed, count(*) filter (where seq > $1)::int as later,
          min(at) filter (where seq <= $1) as first_at, max(at) filter (where seq <= $1) as last_at from ${table}`,
        [upTo],
      )) as [{ fixed: number; later: number; first_at: Date | null; last_at: Date | null }];
      // Only what is in the object leaves: a different count means the rows changed under us.
      if (count.fixed !== segment.rows) throw new Error(`expiry of ${p.programId}: wrote ${segment.rows} rows but ${count.fixed} are there; nothing deleted`);
      const manifest = {
        programId: p.programId,
        objectKey: keys.objectKey,
        rows: segment.rows,
        bytes: segment.bytes,
        sha256: segment.sha256,
        columns: SEGMENT_COLUMNS,
        format: 'csv',
        header: true,
        compression: 'zstd',
        firstAt: count.first_at?.toISOString() ?? null,
        lastAt: count.last_at?.toISOString() ?? null,
        upToSeq: upTo,
      };
      await this.storage.upload('interactions', keys.manifestKey, Readable.from([JSON.stringify(manifest, null, 2)]), { contentType: 'application/json' });
      // Emptying the program's table is one step; rows that arrived meanwhile stay, so then only the written ones go.
      if (count.later === 0) await em.query(`truncate ${table}`);
      else await em.query(`delete from ${table} where seq <= $1`, [upTo]);
      await em.query(
        `insert into expired_segment (workspace_id, program_id, object_key, manifest_key, rows, bytes, sha256, first_at, last_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [ws, p.programId, keys.objectKey, keys.manifestKey, segment.rows, segment.bytes, segment.sha256, count.first_at, count.last_at],
      );
      await em.query(`update program set interaction_data = 'expired', expired_at = now() where workspace_id = $1 and id = $2`, [ws, p.programId]);
      await recordEvent(em, interactionDataExpiredV1, p.context, {
        programId: p.programId,
        objectKey: keys.objectKey,
        manifestKey: keys.manifestKey,
        rows: segment.rows,
        bytes: segment.bytes,
        sha256: segment.sha256,
        firstAt: manifest.firstAt,
        lastAt: manifest.lastAt,
      });
      // The job ends in this transaction: no later attempt can run after the rows left (and take the segment for its own leftovers),
      // and an attempt whose lease was taken over cannot commit at all.
      const result = { rows: segment.rows, bytes: segment.bytes, sha256: segment.sha256, objectKey: keys.objectKey, manifestKey: keys.manifestKey };
      await ctx.finishIn(em, result);
      return result;
    });
  }

  /** The program's data state if it is (still) due to expire, locked against ingestion; null if not. */
  private async stillDue(em: EntityManager, workspaceId: string, programId: string): Promise<'live' | 'expired' | null> {
    const [row] = (await em.query(
      `select p.interaction_data from program p where p.workspace_id = $1 and p.id = $2 and ${dueToExpireSql('p', '$3')} for update of p`,
      [workspaceId, programId, this.expireAfterSecs],
    )) as { interaction_data: 'live' | 'expired' }[];
    return row?.interaction_data ?? null;
  }
}
