import { CONTACT_DATASET_COLUMNS, DomainError, ErrorCode, type CommandContext, type ExportContactsDatasetV1, type JobView } from '@custodian/contracts';
import { JobFailure, type ClaimedJob, type FinishedJobDetails, type JobContext } from '@custodian/jobs';
import { recordEvent } from '@custodian/messaging';
import { csvCopySql, isoTimestamp, spreadsheetSafe, sqlIdentifier, sqlLiteral, useTimeZone } from '@custodian/persistence';
import { copyToObject, ObjectStorage } from '@custodian/storage';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { fieldNames } from '../contacts/custom-fields.js';

export interface DatasetParams extends ExportContactsDatasetV1 {
  context: CommandContext;
}

/**
 * Streams the contacts of a workspace (or of one list, or with one tag) as CSV into the exports bucket with COPY,
 * in one read-only transaction (a consistent snapshot), never holding the rows in memory.
 */
@Injectable()
export class DatasetExportJob {
  constructor(private readonly ds: DataSource, private readonly storage: ObjectStorage) {}

  async run(job: ClaimedJob, ctx: JobContext): Promise<Record<string, unknown>> {
    const p = job.params as unknown as DatasetParams;
    const ws = p.context.workspaceId;
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      const em = runner.manager;
      const timeZone = p.timeZone ?? 'CET';
      if (!(await useTimeZone(em, timeZone))) throw new JobFailure('DATASET_BAD_TIME_ZONE', `unknown time zone "${timeZone}"`);
      let from = p.listId ? `contact c join membership lm on lm.contact_id = c.id and lm.list_id = ${sqlLiteral(p.listId)}` : 'contact c';
      if (p.tag) from += ` join contact_tag ft on ft.contact_id = c.id join tag fg on fg.id = ft.tag_id and lower(fg.name) = lower(${sqlLiteral(p.tag)})`;
      const where = `c.workspace_id = ${sqlLiteral(ws)}`;
      const customFields = (await fieldNames(em, ws)).map((name) => `fields.${name}`);
      const columns = p.fields ?? [...CONTACT_DATASET_COLUMNS, ...customFields];
      const expressions = columns.map((column) => `${this.expression(column)} as ${sqlIdentifier(column)}`);
      // Tags and lists once per contact (offset 0 keeps them from being inlined into each use).
      const aggregates = !columns.some((c) => c === 'tags' || c === 'lists') ? '' : `cross join lateral (select
          (select string_agg(t.name, ';' order by lower(t.name)) from contact_tag ct join tag t on t.id = ct.tag_id where ct.contact_id = c.id) as tags,
          (select string_agg(l.name || ':' || m.status, ';' order by lower(l.name)) from membership m join list l on l.id = m.list_id where m.contact_id = c.id) as lists
        offset 0) x`;
      const sql = csvCopySql(`select ${expressions.join(', ')} from ${from} ${aggregates} where ${where} order by c.created_at, c.id`, p);
      const stored = await copyToObject(runner, sql, this.storage, 'exports', p.key, { compression: p.compression === 'gzip' ? 'gzip' : undefined });
      await runner.commitTransaction();
      await ctx.progress(stored.rows, stored.rows);
      return { exportId: p.exportId, bucket: this.storage.bucket('exports'), key: p.key, rows: stored.rows, bytes: stored.bytes, sha256: stored.sha256, columns };
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  async onFinished(em: EntityManager, job: JobView, details: FinishedJobDetails): Promise<void> {
    if (job.kind !== 'dataset-export') return;
    const p = details.params as unknown as DatasetParams;
    if (job.status === 'succeeded') {
      const r = job.result as { bucket: string; key: string; rows: number; bytes: number; sha256: string; columns: string[] };
      await recordEvent(em, 'events.contacts.dataset.exported.v1', p.context, { exportId: p.exportId, jobId: job.id, bucket: r.bucket, key: r.key, rows: r.rows, bytes: r.bytes, sha256: r.sha256, columns: r.columns });
    } else {
      await recordEvent(em, 'events.contacts.dataset.failed.v1', p.context, { exportId: p.exportId, jobId: job.id, code: job.error?.code ?? job.status, message: job.error?.message ?? job.status });
    }
  }

  /** Checked before the job is queued, so a bad request fails at once. */
  static validateFields(fields: string[] | undefined): void {
    const bad = (fields ?? []).filter((f) => !(CONTACT_DATASET_COLUMNS as readonly string[]).includes(f) && !/^fields\.[^\0]{1,200}$/.test(f));
    if (bad.length) {
      throw new DomainError(ErrorCode.ValidationFailed, `unknown dataset field(s): ${bad.join(', ')}`, {
        errors: bad.map((f) => ({ path: 'fields', message: `"${f}" is not one of ${CONTACT_DATASET_COLUMNS.join(', ')} or fields.<name>` })),
      });
    }
  }

  private expression(column: string): string {
    const ts = isoTimestamp;
    const safe = spreadsheetSafe;
    switch (column) {
      case 'id': return 'c.id::text';
      case 'email': return safe('c.email');
      case 'firstName': return safe('c.first_name');
      case 'lastName': return safe('c.last_name');
      case 'createdAt': return ts('c.created_at');
      case 'updatedAt': return ts('c.updated_at');
      case 'tags': return safe('x.tags');
      case 'lists': return safe('x.lists');
      default: return safe(`(c.fields ->> ${sqlLiteral(column.slice('fields.'.length))})`);
    }
  }
}
