import {
  DomainError,
  ErrorCode,
  INTERACTION_DATASET_COLUMNS,
  interactionsDatasetExportedV1,
  interactionsDatasetFailedV1,
  USER_PROFILE_COLUMNS,
  type CommandContext,
  type ExportInteractionsDatasetV1,
  type InteractionDataset,
} from '@custodian/contracts';
import { JobFailure, type ClaimedJob } from '@custodian/jobs';
import { copyIn, isoTimestamp, spreadsheetSafe, sqlIdentifier, sqlLiteral, type QueryRunner } from '@custodian/persistence';
import { defineDatasetJob, ObjectStorage, StorageError, writeDatasetFile, type DatasetFile } from '@custodian/storage';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface InteractionDatasetParams extends ExportInteractionsDatasetV1 {
  context: CommandContext;
}

const text = (col: string) => spreadsheetSafe(col);
const uuid = (col: string) => `${col}::text`;

/** SQL of each column, by dataset (m: message, c: conversation, p: profile, s: summary). */
const EXPRESSIONS: Record<'conversations' | 'messages' | 'users', Record<string, string>> = {
  conversations: {
    id: uuid('c.id'),
    contactId: uuid('c.contact_id'),
    channel: 'c.channel',
    status: 'c.status',
    assignee: text('c.assignee'),
    closedBy: text('c.closed_by'),
    category: text('c.category'),
    openedAt: isoTimestamp('c.opened_at'),
    firstResponseAt: isoTimestamp('c.first_response_at'),
    closedAt: isoTimestamp('c.closed_at'),
    updatedAt: isoTimestamp('c.updated_at'),
  },
  messages: {
    id: uuid('m.id'),
    conversationId: uuid('m.conversation_id'),
    contactId: uuid('m.contact_id'),
    channel: 'm.channel',
    direction: 'm.direction',
    programId: uuid('m.program_id'),
    sender: text('m.sender'),
    contentType: text('m.content_type'),
    text: text('m.text'),
    status: 'm.status',
    failureReason: text('m.failure_reason'),
    at: isoTimestamp('m.at'),
    statusAt: isoTimestamp('m.status_at'),
  },
  users: {
    id: uuid('p.id'),
    email: text('p.email'),
    firstName: text('p."firstName"'),
    lastName: text('p."lastName"'),
    campaigns: 'coalesce(s.campaigns, 0)',
    canvases: 'coalesce(s.canvases, 0)',
    received: 'coalesce(s.received, 0)',
    opened: 'coalesce(s.opened, 0)',
    clicked: 'coalesce(s.clicked, 0)',
    converted: 'coalesce(s.converted, 0)',
    bounced: 'coalesce(s.bounced, 0)',
    failed: 'coalesce(s.failed, 0)',
    lastInteractionAt: isoTimestamp('s.last_at'),
  },
};

/** Conversations, messages or users as a dataset file for an export. */
@Injectable()
export class InteractionDatasetJob {
  /** An export waits on its dataset (under its own time limit); expiries and restores can wait, so this kind is claimed first. */
  readonly definition = defineDatasetJob<InteractionDatasetParams>(
    { exported: interactionsDatasetExportedV1, failed: interactionsDatasetFailedV1 },
    (job) => this.write(job),
    { priority: 1 },
  );

  constructor(
    private readonly ds: DataSource,
    private readonly storage: ObjectStorage,
  ) {}

  /** Checked before the job is queued, so a bad request fails at once. */
  static validate(data: ExportInteractionsDatasetV1): void {
    const errors: { path: string; message: string }[] = [];
    const columns = INTERACTION_DATASET_COLUMNS[data.dataset];
    for (const f of data.fields ?? []) if (!columns.includes(f)) errors.push({ path: 'fields', message: `"${f}" is not one of ${columns.join(', ')}` });
    if (data.dataset === 'users') {
      if (!data.profilesKey) errors.push({ path: 'profilesKey', message: 'the users dataset needs the profiles file' });
    } else {
      if (!data.from) errors.push({ path: 'from', message: `required for ${data.dataset}` });
      if (!data.to) errors.push({ path: 'to', message: `required for ${data.dataset}` });
      if (data.from && data.to && Date.parse(data.from) >= Date.parse(data.to)) errors.push({ path: 'to', message: 'must be after from' });
    }
    if (data.programId && data.programTag) errors.push({ path: 'programTag', message: 'give programId or programTag, not both' });
    if (errors.length)
      throw new DomainError(ErrorCode.ValidationFailed, `invalid ${data.dataset} export: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, {
        errors,
      });
  }

  private write(job: ClaimedJob<InteractionDatasetParams>): Promise<DatasetFile> {
    const p = job.params;
    return writeDatasetFile(this.ds, this.storage, p, async (runner) => {
      if (p.dataset === 'users') await this.loadProfiles(runner, p.profilesKey!);
      return { select: this.select(p), columns: p.fields ?? INTERACTION_DATASET_COLUMNS[p.dataset] };
    });
  }

  /** The contacts' profiles, in the file's order, into `profile` (this transaction only); the header must be exactly the expected one. */
  private async loadProfiles(runner: QueryRunner, key: string): Promise<void> {
    const columns = USER_PROFILE_COLUMNS.map((c) => sqlIdentifier(c)).join(', ');
    await runner.query(
      `create temp table profile (n bigint generated always as identity, id uuid, email text, "firstName" text, "lastName" text) on commit drop`,
    );
    await runner.query('savepoint profiles');
    try {
      await copyIn(runner, `copy profile (${columns}) from stdin with (format csv, header match)`, await this.storage.download('exports', key));
    } catch (err) {
      const e = err as Error & { code?: string };
      // A bad or missing file is the caller's to fix, with PostgreSQL's words for what is wrong (and the line).
      if (e.code?.startsWith('22') || (err instanceof StorageError && err.code === 'STORAGE_NOT_FOUND')) {
        throw new JobFailure('DATASET_BAD_PROFILES', `profiles file ${key}: ${e.message} (expected the header ${USER_PROFILE_COLUMNS.join(',')})`);
      }
      throw err;
    }
  }

  /** The dataset's select, filtered to the workspace (and range, and programs), in a stable order. */
  private select(p: InteractionDatasetParams): string {
    const ws = sqlLiteral(p.context.workspaceId);
    const family = p.dataset === 'failed_messages' ? 'messages' : p.dataset;
    const columns = p.fields ?? INTERACTION_DATASET_COLUMNS[p.dataset];
    const list = columns.map((c) => `${EXPRESSIONS[family][c]} as ${sqlIdentifier(c)}`).join(', ');
    const range = (col: string) => `${col} >= ${sqlLiteral(p.from!)}::timestamptz and ${col} < ${sqlLiteral(p.to!)}::timestamptz`;
    const programs = this.programsSql(p);
    switch (p.dataset as InteractionDataset) {
      case 'conversations':
        return `select ${list} from conversation c where c.workspace_id = ${ws} and ${range('c.opened_at')} order by c.opened_at, c.id`;
      case 'messages':
      case 'failed_messages': {
        const failed = p.dataset === 'failed_messages' ? ` and m.direction = 'outbound' and m.status = 'failed'` : '';
        const program = programs ? ` and m.program_id in (${programs})` : '';
        return `select ${list} from message m where m.workspace_id = ${ws} and ${range('m.at')}${failed}${program} order by m.at, m.id`;
      }
      case 'users':
        // Only live programs count: expired data is in long-term storage, not in this summary.
        return `with live as (select id, kind from program where workspace_id = ${ws} and interaction_data = 'live'${programs ? ` and id in (${programs})` : ''}),
          summary as (
            select i.contact_id,
              count(distinct i.program_id) filter (where l.kind = 'campaign' and i.type = 'received') as campaigns,
              count(distinct i.program_id) filter (where l.kind = 'canvas' and i.type = 'received') as canvases,
              count(*) filter (where i.type = 'received') as received, count(*) filter (where i.type = 'opened') as opened,
              count(*) filter (where i.type = 'clicked') as clicked, count(*) filter (where i.type = 'converted') as converted,
              count(*) filter (where i.type = 'bounced') as bounced, count(*) filter (where i.type = 'failed') as failed,
              max(i.at) as last_at
            from interaction i join live l on l.id = i.program_id
            where i.program_id = any (array(select id from live))
            group by i.contact_id)
          select ${list} from profile p left join summary s on s.contact_id = p.id order by p.n`;
    }
  }

  /** SQL selecting the ids of the programs the request narrows to, or null for all. */
  private programsSql(p: InteractionDatasetParams): string | null {
    const ws = sqlLiteral(p.context.workspaceId);
    if (p.programId) return `select id from program where workspace_id = ${ws} and id = ${sqlLiteral(p.programId)}`;
    if (p.programTag) return `select id from program where workspace_id = ${ws} and ${sqlLiteral(p.programTag.toLowerCase())} = any(tags)`;
    return null;
  }
}
