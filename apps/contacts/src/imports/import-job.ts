import { PassThrough, pipeline, Readable, Transform } from 'node:stream';
import { DomainError, ErrorCode, importCompletedV1, importFailedV1, type CommandContext, type ImportMode, type QuoteMode } from '@custodian/contracts';
import { CsvError, CsvReader, createCsvWriter, repairSummary, type CsvItem } from '@custodian/csv';
import { defineJob, JobFailure, type ClaimedJob, type FinishedJob, type JobContext } from '@custodian/jobs';
import { recordEvent } from '@custodian/messaging';
import { copyIn } from '@custodian/persistence';
import { objectKey, ObjectStorage, StorageError, type StoredObject } from '@custodian/storage';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { ContactsEnv } from '../config.js';
import { ListSnapshots, SNAPSHOT_COLUMNS, type PendingSnapshot } from '../snapshots/list-snapshot.js';
import { FIELD_HARD_LIMIT } from '../fields/field-limits.js';
import { FieldDefinitions, fieldsBytesSql } from '../fields/field-definitions.js';
import { copyLine, mapColumns, MappingError, toImportRow, type ColumnTarget } from './column-mapping.js';

/**
 * Where an import's rejected and repaired rows are written (whether or not there are any): dated
 * by the request, so every attempt writes the same keys and the end of the job knows them all.
 */
export function importFileKeys(workspaceId: string, jobId: string, requestedAt: Date): { rejected: string; repaired: string } {
  return {
    rejected: objectKey(workspaceId, 'imports', `${jobId}-rejected`, 'csv', requestedAt),
    repaired: objectKey(workspaceId, 'imports', `${jobId}-repaired`, 'csv', requestedAt),
  };
}

/** What an import job is asked to do (stored as the job's params). */
export interface ImportParams {
  listId: string;
  mode: ImportMode;
  objectKey: string;
  mapping?: Record<string, string>;
  dryRun: boolean;
  delimiter?: ',' | ';';
  /** How quotes are read (default strict); lenient lists the rows it repaired. */
  quotes?: QuoteMode;
  fileSha256?: string;
  source?: 'imports' | 'backups';
  protectOptOuts?: boolean;
  snapshotFirst?: boolean;
  context: CommandContext;
}

export interface ImportCounters {
  /** Existing members whose status the import changed. */
  statusChanged: number;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

/** The file as staged in `import_raw`, with its mapping and its rejected rows so far. */
interface StagedFile {
  rows: number;
  targets: ColumnTarget[];
  rejects: RejectsFile;
  encoding: string;
  delimiter: string;
}

export interface ImportResult extends ImportCounters {
  listId: string;
  mode: ImportMode;
  dryRun: boolean;
  encoding: string;
  delimiter: string;
  statusColumn: boolean;
  rejectsKey: string | null;
  /** Rows the lenient reading of quotes repaired, and the file that lists them. */
  repaired: number;
  repairsKey: string | null;
  snapshotId: string | null;
}

/** Times an import starts over because contacts with emails of its file were created while it ran. */
const EMAIL_RACE_ATTEMPTS = 3;

/** PostgreSQL refused a new contact on the unique email: another transaction created it first. */
function emailTakenMeanwhile(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const pg = e?.driverError ?? e;
  return pg?.code === '23505' && pg.constraint === 'contact_email_unique';
}

/** Resolves when `writer` has room again; rejects with the upload's error when the writer closed first (the upload failed). */
function roomIn(writer: Transform, upload: Promise<StoredObject>): Promise<void> {
  // Already ended by a failed upload: no 'close' will come any more.
  if (writer.destroyed) return upload.then(() => Promise.reject(new Error('the rejected rows could not be written')));
  return new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      writer.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      writer.off('drain', onDrain);
      upload.then(() => reject(new Error('the rejected rows could not be written')), reject);
    };
    writer.once('drain', onDrain).once('close', onClose);
  });
}

/**
 * Rejected rows: row number, reason, and the row's original values. Written only if there is one.
 * Repaired rows are listed the same way, with the repair instead of a reason.
 */
class RejectsFile {
  private writer?: Transform;
  private upload?: Promise<StoredObject>;
  /** The import file's header: each rejected row's values follow its row number and reason. */
  private columns: string[] = [];
  count = 0;

  constructor(
    private readonly storage: ObjectStorage,
    private readonly key: string,
    private readonly note: 'reason' | 'repair' = 'reason',
  ) {}

  setColumns(header: string[]): void {
    this.columns = header;
  }

  async add(row: number, reason: string, values: string[]): Promise<void> {
    if (!this.writer) {
      this.writer = createCsvWriter({ columns: ['row', this.note, ...this.columns], escapeFormulas: true });
      const body = new PassThrough();
      // Linked both ways: a failed upload ends the writer too, so a write waiting for room fails instead of waiting for ever.
      pipeline(this.writer, body, () => undefined);
      this.upload = this.storage.upload('imports', this.key, body);
      // Surface an upload failure at finish(), not as an unhandled rejection.
      this.upload.catch(() => undefined);
    }
    this.count += 1;
    // Rows rejected after staging carry only their email; pad so every line has every column.
    const padded = [...values, ...Array(Math.max(0, this.columns.length - values.length)).fill('')];
    if (!this.writer.write([row, reason, ...padded])) await roomIn(this.writer, this.upload!);
  }

  async finish(): Promise<string | null> {
    if (!this.writer) return null;
    this.writer.end();
    await this.upload;
    return this.key;
  }

  /** The import failed: an upload in progress is ended with an error (and abandoned by storage), so nothing stays pending. */
  abandon(): void {
    this.writer?.destroy(new Error('the import failed; its rejected rows are not kept'));
  }
}

/**
 * A CSV import into a list, in one transaction: the file streams into a temporary staging table
 * (COPY), then a handful of set-based statements apply it. A crash rolls everything back and the
 * job runs again; a dry run does the same work and rolls back, so its counts are exact.
 */
@Injectable()
export class ImportJob {
  readonly definition = defineJob<ImportParams, ImportResult>({
    kind: 'import',
    timeout: this.env.CONTACTS_IMPORT_TIMEOUT,
    maxAttempts: 3,
    run: (job, ctx) => this.run(job, ctx),
    onFinished: (em, job) => this.onFinished(em, job),
  });

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
    private readonly snapshots: ListSnapshots,
    @Inject(ContactsEnv) private readonly env: ContactsEnv,
    private readonly fieldDefinitions: FieldDefinitions,
  ) {}

  /**
   * An import, started over when someone else created a contact with an email of the file while
   * it ran (its rows are then matched to that contact), up to a few times.
   */
  private async run(job: ClaimedJob<ImportParams>, ctx: JobContext<ImportResult>): Promise<ImportResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.attempt(job, ctx);
      } catch (err) {
        if (attempt >= EMAIL_RACE_ATTEMPTS || !emailTakenMeanwhile(err) || ctx.signal.aborted) throw err;
      }
    }
  }

  /**
   * The steps of an import, in the job's one transaction: lock the list, start its backup, stage
   * the file, drop duplicate rows, match rows to contacts, apply the mode, record the backup,
   * write the contacts and memberships, count. A dry run rolls all of it back.
   */
  private async attempt(job: ClaimedJob<ImportParams>, ctx: JobContext<ImportResult>): Promise<ImportResult> {
    const params = job.params;
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    let result: ImportResult | undefined;
    let snapshot: PendingSnapshot | undefined;
    const files = importFileKeys(params.context.workspaceId, job.id, new Date(job.requestedAt));
    const rejects = new RejectsFile(this.storage, files.rejected);
    const repairs = new RejectsFile(this.storage, files.repaired, 'repair');
    let committing = false;
    try {
      await runner.startTransaction();
      const em = runner.manager;
      // Room for the hash joins over the whole file, so they do not spill to disk.
      await em.query(`set local work_mem = '${this.env.CONTACTS_IMPORT_WORK_MEM}'`);
      const list = await this.lockList(em, params);
      snapshot = await this.beginSnapshot(em, job, list);
      const staged = await this.stage(runner, job, ctx, rejects, repairs);
      await this.dropDuplicates(em, staged);
      await this.match(em, params.context.workspaceId);
      if (params.source !== 'backups') await this.dropOversized(em, staged);
      const skipped =
        (await this.applyMode(em, params.mode, staged.rejects, staged.targets)) +
        (params.source === 'backups' ? await this.skipMergedAway(em, params.context.workspaceId, staged) : 0);
      const snapshotId = snapshot ? (await snapshot.recordIn(em)).snapshotId : null;
      await this.write(em, params, list.id, staged.targets);
      const counts = await this.count(em);
      const rejectsKey = await staged.rejects.finish();
      const repairsKey = await repairs.finish();
      result = {
        listId: list.id,
        mode: params.mode,
        dryRun: params.dryRun,
        encoding: staged.encoding,
        delimiter: staged.delimiter,
        statusColumn: staged.targets.some((t) => t.kind === 'status'),
        rows: staged.rows,
        statusChanged: counts.status_changed,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.staged - counts.created - counts.updated,
        skipped,
        failed: staged.rejects.count - skipped,
        rejectsKey,
        repaired: repairs.count,
        repairsKey,
        snapshotId,
      };
      if (params.dryRun) {
        await runner.rollbackTransaction();
      } else {
        await ctx.finishIn(em, result);
        committing = true;
        await runner.commitTransaction();
      }
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      // The list's backup was written for this import alone. (A failed commit may still have committed: then it stays.)
      if (!committing) await snapshot?.discard();
      rejects.abandon();
      repairs.abandon();
      throw this.explain(err);
    } finally {
      await runner.release();
    }
    if (params.dryRun) await this.ds.transaction((em) => ctx.finishIn(em, result!));
    return result!;
  }

  /** Final events, and when the import's files are removed, in the transaction that ends the job. */
  private async onFinished(em: EntityManager, job: FinishedJob<ImportParams, ImportResult>): Promise<void> {
    const params = job.params;
    await this.scheduleFileRemoval(em, job);
    const context = { ...params.context, correlationId: job.correlationId ?? params.context.correlationId };
    if (job.status === 'succeeded' && job.result) {
      const r = job.result;
      await recordEvent(em, importCompletedV1, context, {
        jobId: job.id,
        listId: r.listId,
        mode: r.mode,
        dryRun: r.dryRun,
        rows: r.rows,
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
        skipped: r.skipped,
        failed: r.failed,
        ...(r.rejectsKey ? { rejectsKey: r.rejectsKey } : {}),
        ...(r.repairsKey ? { repaired: r.repaired, repairsKey: r.repairsKey } : {}),
      });
    } else {
      await recordEvent(em, importFailedV1, context, {
        jobId: job.id,
        listId: params.listId,
        code: job.error?.code ?? 'JOB_FAILED',
        message: job.error?.message ?? job.status,
      });
    }
  }

  /**
   * The upload (never a backup a restore read) and the rejected and repaired rows, whether or not
   * they were written (a failed attempt may have left one), go after CONTACTS_IMPORT_FILES_RETENTION.
   */
  private async scheduleFileRemoval(em: EntityManager, job: FinishedJob<ImportParams, ImportResult>): Promise<void> {
    const files = importFileKeys(job.workspaceId, job.id, new Date(job.requestedAt));
    const keys = [...(job.params.source === 'backups' ? [] : [job.params.objectKey]), files.rejected, files.repaired];
    await em.query(
      `insert into import_file_removal (job_id, workspace_id, keys, remove_after) values ($1, $2, $3, now() + make_interval(secs => $4))
       on conflict (job_id) do nothing`,
      [job.id, job.workspaceId, keys, this.env.CONTACTS_IMPORT_FILES_RETENTION / 1000],
    );
  }

  /** Locks the list: a deletion or another import of it waits for this one. */
  private async lockList(em: EntityManager, params: ImportParams): Promise<{ id: string; name: string }> {
    const [list] = (await em.query('select id, name from list where workspace_id = $1 and id = $2 for update', [
      params.context.workspaceId,
      params.listId,
    ])) as { id: string; name: string }[];
    if (!list) throw new JobFailure(ErrorCode.NotFound, `list ${params.listId} no longer exists`);
    return list;
  }

  /**
   * Back-office imports back the list up first (policy permitting). The backup is read from a
   * snapshot of its own while the file is parsed; nothing changes before it is written.
   */
  private async beginSnapshot(em: EntityManager, job: ClaimedJob<ImportParams>, list: { id: string; name: string }): Promise<PendingSnapshot | undefined> {
    const params = job.params;
    if (params.dryRun || !(await this.snapshots.required(em, params.context, list.id, params.snapshotFirst))) return undefined;
    return this.snapshots.begin({ context: params.context, listId: list.id, listName: list.name, reason: 'import', jobId: job.id });
  }

  /**
   * Parses and validates the file and streams its good rows into `import_raw` with COPY (in
   * ~64 KiB chunks); rejected rows go to their file, and so do rows a lenient reading repaired.
   */
  private async stage(
    runner: QueryRunner,
    job: ClaimedJob<ImportParams>,
    ctx: JobContext<ImportResult>,
    rejects: RejectsFile,
    repairs: RejectsFile,
  ): Promise<StagedFile> {
    const em = runner.manager;
    const params = job.params;
    await em.query(`create temp table import_raw (
        row_no int not null, email text not null, first_name text, last_name text, status text, fields jsonb not null
      ) on commit drop`);
    const source = await this.storage.download(params.source ?? 'imports', params.objectKey).catch((err: unknown) => {
      if (err instanceof StorageError && err.code === 'STORAGE_NOT_FOUND')
        throw new JobFailure(ErrorCode.ImportObjectMissing, `the uploaded file ${params.objectKey} is gone`);
      throw err;
    });
    // A download that stalls ends with the job (time-out, cancel, lost lease), so the list's lock does not outlive it.
    const stopReading = () => source.destroy(ctx.signal.reason as Error);
    ctx.signal.addEventListener('abort', stopReading, { once: true });
    source.once('close', () => ctx.signal.removeEventListener('abort', stopReading));
    // A backup brings back what was there: its field names as they were, its values unchecked.
    const restoring = params.source === 'backups';
    const reader = new CsvReader({
      delimiter: params.delimiter,
      maxLineLength: this.env.CONTACTS_IMPORT_MAX_LINE_BYTES,
      quotes: params.quotes,
      // A backup has a column per field of its workspace, up to the hard limit, whatever imports may have.
      maxColumns: restoring ? Math.max(this.env.CONTACTS_IMPORT_MAX_COLUMNS, SNAPSHOT_COLUMNS.length + FIELD_HARD_LIMIT) : this.env.CONTACTS_IMPORT_MAX_COLUMNS,
      onRowError: 'report',
      records: false,
      caseVariantHeaders: restoring,
    });
    const rules = restoring ? undefined : this.fieldDefinitions;
    let rows = 0;
    // The header is read, and its fields resolved, before COPY starts (the connection takes no other
    // query during COPY). It must be a valid mapping, even with no row below it.
    const items = reader.read(source)[Symbol.asyncIterator]();
    let mapping: ColumnTarget[];
    let first: IteratorResult<CsvItem>;
    try {
      first = await items.next();
      mapping = await this.resolveFields(em, params, this.mapHeader(reader.info!.header, params, restoring), reader.info!.header);
    } catch (err) {
      source.destroy();
      throw err;
    }
    rejects.setColumns(reader.info!.header);
    repairs.setColumns(reader.info!.header);
    const repairedHeader = reader.info!.headerRepairs;
    if (repairedHeader) await repairs.add(1, repairSummary(repairedHeader), reader.info!.header);
    const lines = Readable.from(
      (async function* () {
        let batch = '';
        for (let next = first; !next.done; next = await items.next()) {
          const item = next.value;
          if (ctx.signal.aborted) throw ctx.signal.reason;
          rows += 1;
          if (item.repairs) await repairs.add(item.rowNumber, repairSummary(item.repairs), item.values);
          if (item.error) {
            await rejects.add(item.rowNumber, item.error.message, item.values);
            continue;
          }
          const mapped = toImportRow(item.values, mapping, rules);
          if ('reason' in mapped) {
            await rejects.add(item.rowNumber, mapped.reason, item.values);
            continue;
          }
          const r = mapped.row;
          batch += copyLine([item.rowNumber, r.email, r.firstName, r.lastName, r.status, JSON.stringify(r.fields)]);
          if (batch.length > 65_536) {
            yield batch;
            batch = '';
          }
          if (rows % 10_000 === 0) void ctx.progress(rows).catch(() => undefined);
        }
        if (batch) yield batch;
      })(),
    );
    await copyIn(runner, 'copy import_raw (row_no, email, first_name, last_name, status, fields) from stdin', lines);
    await ctx.progress(rows, rows);
    return { rows, targets: mapping, rejects, encoding: reader.info!.encoding, delimiter: reader.info!.delimiter };
  }

  /** The same email twice in the file: the first row counts, later ones are rejected. */
  private async dropDuplicates(em: EntityManager, staged: StagedFile): Promise<void> {
    await em.query('create temp table import_duplicate (row_no int primary key, email text not null, first_row int not null) on commit drop');
    await em.query(`
      with d as (
        delete from import_raw r using (
          select lower(email) as k, min(row_no) as first_row from import_raw group by 1 having count(*) > 1) d
        where lower(r.email) = d.k and r.row_no <> d.first_row
        returning r.row_no, r.email, d.first_row)
      insert into import_duplicate select * from d`);
    await this.reject(em, 'import_duplicate', staged.rejects, staged.targets, (d) => `duplicate email in the file (first seen on row ${d.first_row})`);
  }

  /** Matches every row to its live contact once, into `import_row`; a new contact gets its id here. */
  private async match(em: EntityManager, workspaceId: string): Promise<void> {
    await em.query(`create temp table import_row (
        row_no int not null, email text not null, first_name text, last_name text, status text, fields jsonb not null,
        contact_id uuid not null, is_new boolean not null
      ) on commit drop`);
    await em.query(
      `
      insert into import_row
      select r.*, coalesce(c.id, gen_random_uuid()), c.id is null
      from import_raw r left join contact c on c.workspace_id = $1 and lower(c.email) = lower(r.email)`,
      [workspaceId],
    );
  }

  /** Writes the matched rows: new contacts, real changes to existing ones, and memberships; what changed goes to `import_touched`. */
  private async write(em: EntityManager, params: ImportParams, listId: string, targets: ColumnTarget[]): Promise<void> {
    const ws = params.context.workspaceId;
    // Existing contacts the import changed (a contact may appear more than once).
    await em.query('create temp table import_touched (contact_id uuid not null, status_changed boolean not null default false) on commit drop');
    // A contact created meanwhile by someone else makes this fail on the unique email: the import starts over (run).
    await em.query(
      `
      insert into contact (id, workspace_id, email, first_name, last_name, fields)
      select contact_id, $1, email, first_name, last_name, fields from import_row where is_new`,
      [ws],
    );
    // Only a real change touches an existing contact (and counts it as updated).
    await em.query(`
      with upd as (
        update contact c set first_name = coalesce(r.first_name, c.first_name), last_name = coalesce(r.last_name, c.last_name),
               fields = c.fields || r.fields, updated_at = now()
        from import_row r
        where r.contact_id = c.id and not r.is_new
          and (c.first_name is distinct from coalesce(r.first_name, c.first_name)
               or c.last_name is distinct from coalesce(r.last_name, c.last_name)
               or c.fields <> c.fields || r.fields)
        returning c.id)
      insert into import_touched select id from upd`);
    // Memberships. A status given in the file is applied; without one, new members are subscribed
    // and existing members keep theirs, so nobody who unsubscribed or bounced is re-subscribed.
    await em.query(
      `
      insert into membership (workspace_id, list_id, contact_id, status)
      select $1, $2, contact_id, coalesce(status, 'subscribed') from import_row where is_new`,
      [ws, listId],
    );
    const statusColumn = targets.some((t) => t.kind === 'status');
    for (const given of statusColumn ? [true, false] : [false]) {
      await em.query(
        `
        with m as (
          insert into membership (workspace_id, list_id, contact_id, status)
          select $1, $2, contact_id, ${given ? 'status' : "'subscribed'"} from import_row r
          where not is_new and status is ${given ? 'not null' : 'null'}
          ${given ? '' : 'and not exists (select 1 from membership m where m.list_id = $2 and m.contact_id = r.contact_id)'}
          on conflict (list_id, contact_id) do ${
            given
              ? `update set status = excluded.status, updated_at = now()
            where membership.status is distinct from excluded.status
            ${params.protectOptOuts ? "and membership.status not in ('unsubscribed', 'bounced')" : ''}`
              : 'nothing'
          }
          returning contact_id, ${given ? '(xmax <> 0)' : 'false'})
        insert into import_touched select * from m`,
        [ws, listId],
      );
    }
  }

  private async count(em: EntityManager): Promise<{ created: number; updated: number; status_changed: number; staged: number }> {
    const [counts] = (await em.query(`
      select (select count(*) from import_row where is_new)::int as created,
             (select count(distinct contact_id) from import_touched)::int as updated,
             (select count(*) from import_touched where status_changed)::int as status_changed,
             (select count(*) from import_row)::int as staged`)) as [{ created: number; updated: number; status_changed: number; staged: number }];
    return counts;
  }

  /** A row's values with only its email known (rows rejected after staging). */
  private emailOnly(targets: ColumnTarget[], email: string): string[] {
    return targets.map((t) => (t.kind === 'email' ? email : ''));
  }

  /**
   * A backup restore never brings back a contact that was merged into another since: a new row
   * with the email of a merged-away duplicate (and no live contact) is skipped, with a reason.
   */
  private async skipMergedAway(em: EntityManager, workspaceId: string, staged: StagedFile): Promise<number> {
    await em.query('create temp table import_merged (row_no int primary key, email text not null) on commit drop');
    await em.query(
      `with d as (delete from import_row r where r.is_new
          and exists (select 1 from merged_contact m where m.workspace_id = $1 and lower(m.email) = lower(r.email))
        returning r.row_no, r.email)
      insert into import_merged select * from d`,
      [workspaceId],
    );
    return this.reject(
      em,
      'import_merged',
      staged.rejects,
      staged.targets,
      () => 'skipped: this contact was merged into another one; a restore does not bring it back',
    );
  }

  private mapHeader(header: string[], params: ImportParams, restoring: boolean): ColumnTarget[] {
    try {
      return mapColumns(header, params.mapping, { caseVariantFields: restoring });
    } catch (err) {
      if (err instanceof MappingError) throw new JobFailure(ErrorCode.ImportFileInvalid, err.message);
      throw err;
    }
  }

  /**
   * The file's field columns under their defined names and types, defining the new ones (in this
   * transaction, so a dry run or a failed import defines nothing). A name that cannot be a field
   * fails the import, naming the column.
   */
  private async resolveFields(em: EntityManager, params: ImportParams, targets: ColumnTarget[], header: string[]): Promise<ColumnTarget[]> {
    const names = targets.flatMap((t) => (t.kind === 'field' ? [t.name] : []));
    let definitions;
    try {
      definitions = await this.fieldDefinitions.resolve(em, params.context.workspaceId, names, params.source === 'backups' ? 'restore' : 'new', 'columns');
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.ValidationFailed)
        throw new JobFailure(ErrorCode.ImportFileInvalid, `a column cannot be a custom field: ${err.message}`);
      throw err;
    }
    return targets.map((t, i) => {
      if (t.kind !== 'field') return t;
      const field = definitions.get(t.name);
      if (!field) throw new Error(`column ${header[i]} was not resolved to a field`);
      return { kind: 'field', name: field.name, type: field.type };
    });
  }

  /** Rows that would grow an existing contact's custom fields past the per-contact size are rejected. */
  private async dropOversized(em: EntityManager, staged: StagedFile): Promise<void> {
    if (!staged.targets.some((t) => t.kind === 'field')) return;
    await em.query('create temp table import_oversized (row_no int primary key, email text not null) on commit drop');
    await em.query(
      `with d as (delete from import_row r using contact c
          where r.contact_id = c.id and not r.is_new and r.fields <> '{}' and c.fields <> c.fields || r.fields
            and ${fieldsBytesSql('c.fields || r.fields')} > $1
        returning r.row_no, r.email)
      insert into import_oversized select * from d`,
      [this.fieldDefinitions.limits.contactBytes],
    );
    await this.reject(
      em,
      'import_oversized',
      staged.rejects,
      staged.targets,
      () => `the contact's custom fields would take more than ${this.fieldDefinitions.limits.contactBytes} bytes together`,
    );
  }

  /** `add` leaves existing contacts alone, `update` adds no one: those rows are skipped, with a reason. */
  private async applyMode(em: EntityManager, mode: ImportMode, rejects: RejectsFile, targets: ColumnTarget[]): Promise<number> {
    if (mode === 'upsert') return 0;
    const reason =
      mode === 'add'
        ? 'skipped: a contact with this email exists (mode add only adds new contacts)'
        : 'skipped: no contact with this email (mode update only changes existing contacts)';
    await em.query('create temp table import_skipped (row_no int primary key, email text not null) on commit drop');
    await em.query(`with d as (delete from import_row where ${mode === 'add' ? 'not is_new' : 'is_new'} returning row_no, email)
      insert into import_skipped select * from d`);
    return this.reject(em, 'import_skipped', rejects, targets, () => reason);
  }

  /**
   * Adds the rows of a staging table to the rejected rows, in file order, a page at a time: a file
   * of millions of repeated rows never sits in memory. Answers how many there were.
   */
  private async reject(
    em: EntityManager,
    table: 'import_duplicate' | 'import_skipped' | 'import_merged' | 'import_oversized',
    rejects: RejectsFile,
    targets: ColumnTarget[],
    reasonOf: (row: { row_no: number; email: string; first_row?: number }) => string,
  ): Promise<number> {
    let after = 0;
    let count = 0;
    for (;;) {
      const page = (await em.query(`select * from ${table} where row_no > $1 order by row_no limit 10000`, [after])) as {
        row_no: number;
        email: string;
        first_row?: number;
      }[];
      for (const r of page) await rejects.add(r.row_no, reasonOf(r), this.emailOnly(targets, r.email));
      count += page.length;
      if (page.length < 10_000) return count;
      after = page[page.length - 1]!.row_no;
    }
  }

  /** Errors of the file become job failures with a code and the row. */
  private explain(err: unknown): unknown {
    if (err instanceof JobFailure || err instanceof DomainError) return err;
    if (err instanceof CsvError) return new JobFailure(err.code, err.message);
    const cause = (err as { cause?: unknown })?.cause;
    if (cause instanceof CsvError) return new JobFailure(cause.code, cause.message, { cause: err });
    return err;
  }
}
