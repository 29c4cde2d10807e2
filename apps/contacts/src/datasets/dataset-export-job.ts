import { CONTACT_DATASET_COLUMNS, datasetExportedV1, datasetFailedV1, datasetReport, DomainError, ErrorCode, type CommandContext, type ExportContactsDatasetV1, type JobView } from '@custodian/contracts';
import type { ClaimedJob, FinishedJobDetails, JobContext } from '@custodian/jobs';
import { recordEvent } from '@custodian/messaging';
import { isoTimestamp, spreadsheetSafe, sqlIdentifier, sqlLiteral } from '@custodian/persistence';
import { ObjectStorage, writeDatasetFile } from '@custodian/storage';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { fieldNames } from '../contacts/custom-fields.js';

export interface DatasetParams extends ExportContactsDatasetV1 {
  context: CommandContext;
}

/** The contacts of a workspace (or of one list, or with one tag) as a dataset file for an export. */
@Injectable()
export class DatasetExportJob {
  constructor(private readonly ds: DataSource, private readonly storage: ObjectStorage) {}

  async run(job: ClaimedJob, ctx: JobContext): Promise<Record<string, unknown>> {
    const p = job.params as unknown as DatasetParams;
    const ws = p.context.workspaceId;
    const file = await writeDatasetFile(this.ds, this.storage, p, async (runner) => {
      let from = p.listId ? `contact c join membership lm on lm.contact_id = c.id and lm.list_id = ${sqlLiteral(p.listId)}` : 'contact c';
      if (p.tag) from += ` join contact_tag ft on ft.contact_id = c.id join tag fg on fg.id = ft.tag_id and lower(fg.name) = lower(${sqlLiteral(p.tag)})`;
      const customFields = (await fieldNames(runner.manager, ws)).map((name) => `fields.${name}`);
      const columns = p.fields ?? [...CONTACT_DATASET_COLUMNS, ...customFields];
      const expressions = columns.map((column) => `${this.expression(column)} as ${sqlIdentifier(column)}`);
      // Tags and lists once per contact (offset 0 keeps them from being inlined into each use). Each starts from
      // the contact's own rows and looks the names up by key: a plan that starts from all tags or lists (which
      // stale statistics invite, say right after a large import) would scan them once per contact.
      const aggregates = !columns.some((c) => c === 'tags' || c === 'lists') ? '' : `cross join lateral (select
          (select string_agg(n.name, ';' order by lower(n.name)) from (select (select t.name from tag t where t.id = ct.tag_id) as name
            from contact_tag ct where ct.contact_id = c.id offset 0) n) as tags,
          (select string_agg(n.name || ':' || n.status, ';' order by lower(n.name)) from (select (select l.name from list l where l.id = m.list_id) as name, m.status
            from membership m where m.contact_id = c.id offset 0) n) as lists
        offset 0) x`;
      return { select: `select ${expressions.join(', ')} from ${from} ${aggregates} where c.workspace_id = ${sqlLiteral(ws)} order by c.created_at, c.id`, columns };
    });
    await ctx.progress(file.rows, file.rows);
    return { exportId: p.exportId, ...file };
  }

  async onFinished(em: EntityManager, job: JobView, details: FinishedJobDetails): Promise<void> {
    if (job.kind !== 'dataset-export') return;
    const p = details.params as unknown as DatasetParams;
    const report = datasetReport(job, p.exportId);
    await recordEvent(em, { exported: datasetExportedV1, failed: datasetFailedV1 }[report.outcome], p.context, report.data);
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
