import {
  DomainError,
  ErrorCode,
  importRejectsV1,
  importRepairsV1,
  startImportV1,
  type CommandContext,
  type ImportRejectsV1,
  type ImportRepairsV1,
  type JobView,
  type StartImportV1,
  validationFailed,
} from '@custodian/contracts';
import { JobRunner, JobStore } from '@custodian/jobs';
import { CommandHandler } from '@custodian/messaging';
import { keyBelongsTo, ObjectStorage } from '@custodian/storage';
import { Controller } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ImportJob, type ImportParams } from './import-job.js';

/** A link to a file of an import's rows. */
interface RowsLink {
  url: string;
  expiresAt: string;
  rows: number;
}

@Controller()
export class ImportsHandlers {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly imports: ImportJob,
    private readonly storage: ObjectStorage,
  ) {}

  @CommandHandler(startImportV1)
  async start(data: StartImportV1, context: CommandContext): Promise<JobView> {
    const source = data.source ?? 'imports';
    if (!keyBelongsTo(data.objectKey, context.workspaceId, source)) {
      throw validationFailed('objectKey', 'must be a key returned by an upload of this workspace', 'objectKey is not an upload of this workspace');
    }
    const [list] = (await this.ds.query('select id from list where workspace_id = $1 and id = $2', [context.workspaceId, data.listId])) as unknown[];
    if (!list) throw new DomainError(ErrorCode.NotFound, `list ${data.listId} not found`, { errors: [{ path: 'listId', message: 'not found' }] });
    if (!(await this.storage.stat(source, data.objectKey))) {
      throw new DomainError(ErrorCode.ImportObjectMissing, `no uploaded file at ${data.objectKey}`, { errors: [{ path: 'objectKey', message: 'not found' }] });
    }
    const params: ImportParams = {
      listId: data.listId,
      mode: data.mode,
      objectKey: data.objectKey,
      mapping: data.mapping,
      dryRun: data.dryRun ?? false,
      delimiter: data.delimiter,
      quotes: data.quotes,
      fileSha256: data.fileSha256,
      source,
      protectOptOuts: data.protectOptOuts ?? false,
      snapshotFirst: data.snapshotFirst ?? false,
      context,
    };
    const { job, existing } = await this.ds.transaction((em) =>
      this.jobs.enqueue(em, this.imports.definition, {
        workspaceId: context.workspaceId,
        requestedBy: context.actor.id,
        correlationId: context.correlationId,
        params,
        idempotencyKey: data.idempotencyKey,
        // The same request sent again: who sent it and its trace ids differ, and a re-uploaded file
        // lands under a new key but has the same content.
        ignoreForIdempotency: data.fileSha256 ? ['context', 'objectKey'] : ['context'],
      }),
    );
    if (existing && data.fileSha256) {
      const first = (await this.jobs.find(this.ds.manager, this.imports.definition, context.workspaceId, job.id))?.params.objectKey;
      if (first !== data.objectKey) await this.storage.remove('imports', data.objectKey).catch(() => undefined);
    }
    this.runner.poke();
    return job;
  }

  @CommandHandler(importRejectsV1)
  rejects(data: ImportRejectsV1, context: CommandContext): Promise<RowsLink> {
    return this.rowsLink(data, context, 'rejected');
  }

  @CommandHandler(importRepairsV1)
  repairs(data: ImportRepairsV1, context: CommandContext): Promise<RowsLink> {
    return this.rowsLink(data, context, 'repaired');
  }

  /** A short-lived link to the rejected or repaired rows of an import, and how many there are. */
  private async rowsLink(data: ImportRejectsV1, context: CommandContext, which: 'rejected' | 'repaired'): Promise<RowsLink> {
    const job = await this.jobs.find(this.ds.manager, this.imports.definition, context.workspaceId, data.id);
    if (!job) throw new DomainError(ErrorCode.NotFound, `import ${data.id} not found`);
    const result = job.result;
    const key = which === 'rejected' ? result?.rejectsKey : result?.repairsKey;
    const [kept] = (await this.ds.query('select 1 from import_file_removal where job_id = $1', [job.id])) as unknown[];
    if (key && !kept)
      throw new DomainError(ErrorCode.NotFound, `the ${which} rows of import ${data.id} were removed with its files, some time after the import ended`);
    if (!result || !key)
      throw new DomainError(ErrorCode.NotFound, `import ${data.id} has no ${which} rows${job.status === 'succeeded' ? '' : ` (it is ${job.status})`}`);
    const expiresIn = data.expiresInSeconds ?? 900;
    const url = await this.storage.presignedDownloadUrl('imports', key, { expiresInSeconds: expiresIn, fileName: `import-${job.id}-${which}.csv` });
    const rows = which === 'rejected' ? result.failed + result.skipped : result.repaired;
    return { url, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(), rows };
  }
}
