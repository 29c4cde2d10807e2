import { DomainError, ErrorCode, type ArchiveContactsV1, type CommandContext, validationFailed } from '@custodian/contracts';
import { defineJob, type ClaimedJob, type JobContext } from '@custodian/jobs';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { contactFilterSql } from '../contacts/contact-filter.js';
import { LifecycleService } from './lifecycle.service.js';

export interface BulkArchiveParams {
  filter: Omit<ArchiveContactsV1, 'idempotencyKey' | 'reason'>;
  reason?: string;
  context: CommandContext;
}

export interface BulkArchiveResult {
  archived: number;
  matched: number;
}

/** The ids a bulk-archive filter selects, oldest first (all criteria must hold). */
export function filterSql(workspaceId: string, filter: BulkArchiveParams['filter']): { sql: string; params: unknown[] } {
  const { where, params } = contactFilterSql(workspaceId, { listId: filter.listId, tag: filter.tag, emails: filter.emails });
  return { sql: `select c.id from contact c where ${where.join(' and ')} order by c.created_at, c.id`, params };
}

/**
 * Archives the matching contacts a batch at a time; each contact goes in its own transaction
 * with its snapshot event, so a crash leaves every contact either live or archived, never between.
 */
@Injectable()
export class BulkArchiveJob {
  readonly definition = defineJob<BulkArchiveParams, BulkArchiveResult>({ kind: 'archive-bulk', run: (job, ctx) => this.run(job, ctx) });

  constructor(
    private readonly ds: DataSource,
    private readonly lifecycle: LifecycleService,
  ) {}

  static validate(filter: BulkArchiveParams['filter']): void {
    if (!filter.listId && !filter.tag && !filter.emails?.length) {
      throw validationFailed('', 'needs listId, tag or emails', 'give at least one of listId, tag or emails');
    }
  }

  private async run(job: ClaimedJob<BulkArchiveParams>, ctx: JobContext<BulkArchiveResult>): Promise<BulkArchiveResult> {
    const params = job.params;
    const { sql, params: values } = filterSql(params.context.workspaceId, params.filter);
    const [{ total }] = (await this.ds.query(`select count(*)::int as total from (${sql}) s`, values)) as [{ total: number }];
    await ctx.progress(0, total);
    let archived = 0;
    // Re-select after each batch: archived contacts drop out of the filter, so a re-run resumes.
    for (;;) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const batch = (await this.ds.query(`${sql} limit 200`, values)) as { id: string }[];
      if (!batch.length) break;
      for (const { id } of batch) {
        try {
          await this.lifecycle.archive(params.context, id, params.reason);
          archived += 1;
        } catch (err) {
          // Deleted or archived by someone else meanwhile: nothing left to do for it.
          if (!(err instanceof DomainError && err.code === ErrorCode.NotFound)) throw err;
        }
      }
      await ctx.progress(archived, total);
    }
    return { archived, matched: total };
  }
}
