import { DomainError, ErrorCode, interactionRestoreCompletedV1, interactionRestoreFailedV1, type CommandContext } from '@custodian/contracts';
import { defineJob, type ClaimedJob, type FinishedJob, type JobContext } from '@custodian/jobs';
import { recordEvent } from '@custodian/messaging';
import { copyIn, inTransaction, type QueryRunner } from '@custodian/persistence';
import { hashingCounter, ObjectStorage } from '@custodian/storage';
import { Inject, Injectable } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { DataSource, type EntityManager } from 'typeorm';
import { InteractionsEnv } from '../config.js';
import { SEGMENT_COLUMNS } from '../expiry/expire-job.js';
import { partitionOf } from '../programs/partitions.js';

export interface InteractionRestoreParams {
  context: CommandContext;
  programIds: string[];
  alreadyLive: string[];
  /** What was asked, as asked: a retry with the same idempotency key is compared with it, not with the programs' states since. */
  request?: { programIds: string[]; tag: string | null };
}

export interface InteractionRestoreResult {
  programs: number;
  rows: number;
  alreadyLive: string[];
}

interface Segment {
  id: string;
  object_key: string;
  manifest_key: string;
  rows: string;
  bytes: string;
  sha256: string;
}

/**
 * Reloads each program's segments from object storage, checking every byte against the manifest
 * recorded at expiry, then marks the program live: one transaction per program, so a crash
 * leaves each either fully restored or still restoring (the next attempt does the rest).
 */
@Injectable()
export class RestoreJob {
  readonly definition = defineJob<InteractionRestoreParams, InteractionRestoreResult>({
    kind: 'restore',
    timeout: this.env.INTERACTIONS_JOB_TIMEOUT,
    maxAttempts: 5,
    run: (job, ctx) => this.run(job, ctx),
    onFinished: (em, job) => this.onFinished(em, job),
  });

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    @Inject(InteractionsEnv) private readonly env: InteractionsEnv,
  ) {}

  private async run(job: ClaimedJob<InteractionRestoreParams>, ctx: JobContext<InteractionRestoreResult>): Promise<InteractionRestoreResult> {
    const p = job.params;
    const ws = p.context.workspaceId;
    let rows = 0;
    let done = 0;
    for (const programId of p.programIds) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      rows += await inTransaction(this.ds, async (runner) => {
        const em = runner.manager;
        const [program] = (await em.query('select interaction_data from program where workspace_id = $1 and id = $2 for update', [ws, programId])) as {
          interaction_data: string;
        }[];
        // Restored by an earlier attempt already.
        if (program?.interaction_data !== 'restoring') return 0;
        const segments = (await em.query(
          `select id, object_key, manifest_key, rows, bytes, sha256 from expired_segment
          where workspace_id = $1 and program_id = $2 and restored_at is null order by expired_at`,
          [ws, programId],
        )) as Segment[];
        const table = partitionOf(programId);
        const [{ empty }] = (await em.query(`select not exists (select 1 from ${table}) as empty`)) as [{ empty: boolean }];
        // The usual case, one segment into an empty table, goes straight in; otherwise through a staging
        // table, so rows already there (or in two segments) are stored once.
        // (The table's workspace_id defaults to the program's workspace.)
        let inserted: number;
        if (empty && segments.length === 1) {
          inserted = await this.load(runner, segments[0]!, table);
        } else {
          const columns = Object.keys(COLUMN_TYPES);
          await em.query(`create temp table restoring (${columns.map((c) => `${c} ${COLUMN_TYPES[c]}`).join(', ')}) on commit drop`);
          for (const segment of segments) await this.load(runner, segment, 'restoring');
          [{ inserted }] = (await em.query(
            `with stored as (insert into ${table} (workspace_id, program_id, ${SEGMENT_COLUMNS.join(', ')})
            select $1, $2, ${SEGMENT_COLUMNS.join(', ')} from restoring on conflict (program_id, id) do nothing returning 1)
            select count(*)::int as inserted from stored`,
            [ws, programId],
          )) as [{ inserted: number }];
        }
        await this.restored(em, programId, segments);
        return inserted;
      });
      done += 1;
      await ctx.progress(done, p.programIds.length);
    }
    return { programs: p.programIds.length, rows, alreadyLive: p.alreadyLive };
  }

  private async restored(em: EntityManager, programId: string, segments: Segment[]): Promise<void> {
    await em.query('update expired_segment set restored_at = now() where id = any($1::uuid[])', [segments.map((s) => s.id)]);
    // Restored is activity: the data expires again only after another full period.
    await em.query(`update program set interaction_data = 'live', expired_at = null, last_activity_at = now() where id = $1`, [programId]);
  }

  /** One segment into `table`, its bytes, sha256 and rows checked against what expiry recorded; answers the rows. */
  private async load(runner: QueryRunner, segment: Segment, table: string): Promise<number> {
    const manifest = JSON.parse((await this.storage.readSmall('interactions', segment.manifest_key)).toString('utf8')) as {
      sha256: string;
      rows: number;
      bytes: number;
      columns?: unknown;
      compression?: unknown;
    };
    if (manifest.sha256 !== segment.sha256 || manifest.rows !== Number(segment.rows) || manifest.bytes !== Number(segment.bytes)) {
      throw new DomainError(ErrorCode.SegmentCorrupt, `manifest ${segment.manifest_key} does not match the expiry record`);
    }
    // The manifest names the columns and the compression; only known ones are accepted.
    const columns = manifest.columns;
    if (
      !Array.isArray(columns) ||
      !columns.length ||
      !columns.every((c) => typeof c === 'string' && Object.hasOwn(COLUMN_TYPES, c)) ||
      !['gzip', 'zstd'].includes(manifest.compression as string)
    ) {
      throw new DomainError(ErrorCode.SegmentCorrupt, `manifest ${segment.manifest_key} names unknown columns or compression`);
    }
    const counter = hashingCounter();
    const decompress = manifest.compression === 'zstd' ? createZstdDecompress() : createGunzip();
    // The object is opened before the COPY starts: a COPY left waiting for a stream that never comes would hold the connection.
    const source = await this.storage.download('interactions', segment.object_key);
    // A failure anywhere (download, counter, decompression) destroys the chain, and so fails the COPY.
    const [loaded] = await Promise.all([
      // Without a program_id column, the program's table fills it in by default (the staging table leaves it to the insert).
      copyIn(runner, `copy ${table} (${columns.join(', ')}) from stdin with (format csv, header true)`, decompress),
      pipeline(source, counter, decompress),
    ]).catch((err: unknown) => {
      // Bytes that do not decompress, or rows the table refuses: the segment is not what expiry wrote.
      if (unreadable(err))
        throw new DomainError(ErrorCode.SegmentCorrupt, `segment ${segment.object_key} cannot be read back: ${(err as Error).message}`, {}, { cause: err });
      throw err;
    });
    const { bytes, sha256 } = counter.result();
    if (sha256 !== segment.sha256 || bytes !== Number(segment.bytes) || loaded !== Number(segment.rows)) {
      throw new DomainError(
        ErrorCode.SegmentCorrupt,
        `segment ${segment.object_key}: ${loaded} rows, ${bytes} bytes, sha256 ${sha256}; its manifest says ${segment.rows} rows, ${segment.bytes} bytes, sha256 ${segment.sha256}`,
      );
    }
    return loaded;
  }

  private async onFinished(em: EntityManager, job: FinishedJob<InteractionRestoreParams, InteractionRestoreResult>): Promise<void> {
    const p = job.params;
    if (job.status === 'succeeded' && job.result) {
      const r = job.result;
      await recordEvent(em, interactionRestoreCompletedV1, p.context, { jobId: job.id, programIds: p.programIds, rows: r.rows });
      return;
    }
    // What was not restored goes back to expired, so it can be restored again.
    await em.query(`update program set interaction_data = 'expired' where id = any($1::uuid[]) and interaction_data = 'restoring'`, [p.programIds]);
    await recordEvent(em, interactionRestoreFailedV1, p.context, {
      jobId: job.id,
      programIds: p.programIds,
      code: job.error?.code ?? job.status,
      message: job.error?.message ?? job.status,
    });
  }
}

/** A decompression error (zlib's `Z_…`, zstd's `ZSTD_…`) or a PostgreSQL data or constraint error (classes 22 and 23). */
function unreadable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ZSTD_') || /^2[23][0-9A-Z]{3}$/.test(code));
}

/** Every column a segment may carry, with its type (program_id only in segments written before it moved to the manifest). */
const COLUMN_TYPES: Record<string, string> = {
  id: 'uuid',
  program_id: 'uuid',
  step_id: 'text',
  variant_id: 'text',
  control_group: 'boolean',
  contact_id: 'uuid',
  type: 'text',
  at: 'timestamptz',
};
