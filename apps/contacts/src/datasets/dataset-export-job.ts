import {
  CONTACT_DATASET_COLUMNS,
  isContactDatasetField,
  datasetExportedV1,
  datasetFailedV1,
  DomainError,
  ErrorCode,
  type CommandContext,
  type ExportContactsDatasetV1,
} from '@custodian/contracts';
import type { ClaimedJob } from '@custodian/jobs';
import { isoTimestamp, spreadsheetSafe, sqlLiteral } from '@custodian/persistence';
import { defineDatasetJob, ObjectStorage, writeDatasetFile, type DatasetFile } from '@custodian/storage';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { definedFieldNames } from '../fields/field-definitions.js';

export interface DatasetParams extends ExportContactsDatasetV1 {
  context: CommandContext;
}

/** The contacts of a workspace (or of one list, or with one tag) as a dataset file for an export. */
@Injectable()
export class DatasetExportJob {
  readonly definition = defineDatasetJob<DatasetParams>({ exported: datasetExportedV1, failed: datasetFailedV1 }, (job) => this.write(job));

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
  ) {}

  private write(job: ClaimedJob<DatasetParams>): Promise<DatasetFile> {
    const p = job.params;
    const ws = p.context.workspaceId;
    return writeDatasetFile(this.ds, this.storage, p, async (runner) => {
      let from = p.listId ? `contact c join membership lm on lm.contact_id = c.id and lm.list_id = ${sqlLiteral(p.listId)}` : 'contact c';
      if (p.tag) from += ` join contact_tag ft on ft.contact_id = c.id join tag fg on fg.id = ft.tag_id and lower(fg.name) = lower(${sqlLiteral(p.tag)})`;
      const defined = await definedFieldNames(runner.manager, ws);
      const columns = p.fields ?? [...CONTACT_DATASET_COLUMNS, ...defined.map((name) => `fields.${name}`)];
      // A requested field is found by its name regardless of case, as writes find it.
      const byKey = new Map(defined.map((name) => [name.toLowerCase(), name]));
      const expressions = columns.map((column) => this.expression(column, byKey));
      // Tags and lists once per contact (offset 0 keeps them from being inlined into each use). Each starts from
      // the contact's own rows and looks the names up by key: a plan that starts from all tags or lists (which
      // stale statistics invite, say right after a large import) would scan them once per contact.
      const aggregates = !columns.some((c) => c === 'tags' || c === 'lists')
        ? ''
        : `cross join lateral (select
          (select string_agg(n.name, ';' order by lower(n.name)) from (select (select t.name from tag t where t.id = ct.tag_id) as name
            from contact_tag ct where ct.contact_id = c.id offset 0) n) as tags,
          (select string_agg(n.name || ':' || n.status, ';' order by lower(n.name)) from (select (select l.name from list l where l.id = m.list_id) as name, m.status
            from membership m where m.contact_id = c.id offset 0) n) as lists
        offset 0) x`;
      return {
        select: `select ${expressions.join(', ')} from ${from} ${aggregates} where c.workspace_id = ${sqlLiteral(ws)} order by c.created_at, c.id`,
        columns,
      };
    });
  }

  /** Checked before the job is queued, so a bad request fails at once. */
  static validateFields(fields: string[] | undefined): void {
    const bad = (fields ?? []).filter((f) => !isContactDatasetField(f));
    if (bad.length) {
      throw new DomainError(ErrorCode.ValidationFailed, `unknown dataset field(s): ${bad.join(', ')}`, {
        errors: bad.map((f) => ({ path: 'fields', message: `"${f}" is not one of ${CONTACT_DATASET_COLUMNS.join(', ')} or fields.<name>` })),
      });
    }
  }

  private expression(column: string, fields: Map<string, string>): string {
    const ts = isoTimestamp;
    const safe = spreadsheetSafe;
    switch (column) {
      case 'id':
        return 'c.id::text';
      case 'email':
        return safe('c.email');
      case 'firstName':
        return safe('c.first_name');
      case 'lastName':
        return safe('c.last_name');
      case 'createdAt':
        return ts('c.created_at');
      case 'updatedAt':
        return ts('c.updated_at');
      case 'tags':
        return safe('x.tags');
      case 'lists':
        return safe('x.lists');
      default: {
        const name = column.slice('fields.'.length);
        return safe(`(c.fields ->> ${sqlLiteral(fields.get(name.toLowerCase()) ?? name)})`);
      }
    }
  }
}
