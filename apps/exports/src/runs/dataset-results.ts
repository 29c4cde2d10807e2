import {
  datasetExportedV1,
  datasetFailedV1,
  interactionsDatasetExportedV1,
  interactionsDatasetFailedV1,
  type DatasetExportedV1,
  type DatasetFailedV1,
  type EventEnvelope,
} from '@custodian/contracts';
import { OnEvent } from '@custodian/messaging';
import { notifyOnCommit } from '@custodian/persistence';
import { Controller } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DATASET_RESULT_CHANNEL } from './dataset-result-waits.js';
import { JobStore } from '@custodian/jobs';
import { queueFileRemoval } from '../retention/file-removals.js';
import { ExportRun } from './export-run.js';

/**
 * What the data owners report for dataset requests, kept for the export waiting on it. A file
 * that arrives for an export that already ended (cancelled, discarded, failed) is queued for removal.
 */
@Controller()
export class DatasetResults {
  constructor(
    private readonly jobs: JobStore,
    private readonly exports: ExportRun,
  ) {}

  @OnEvent(datasetExportedV1)
  contactsExported(event: EventEnvelope<DatasetExportedV1>, em: EntityManager): Promise<void> {
    return this.written(event, em);
  }

  @OnEvent(interactionsDatasetExportedV1)
  interactionsExported(event: EventEnvelope<DatasetExportedV1>, em: EntityManager): Promise<void> {
    return this.written(event, em);
  }

  @OnEvent(datasetFailedV1)
  contactsFailed(event: EventEnvelope<DatasetFailedV1>, em: EntityManager): Promise<void> {
    return this.failed(event, em);
  }

  @OnEvent(interactionsDatasetFailedV1)
  interactionsFailed(event: EventEnvelope<DatasetFailedV1>, em: EntityManager): Promise<void> {
    return this.failed(event, em);
  }

  private async written(event: EventEnvelope<DatasetExportedV1>, em: EntityManager): Promise<void> {
    const d = event.data;
    await em.query(
      `insert into dataset_result (request_id, workspace_id, ok, bucket, key, rows, bytes, sha256, columns) values ($1, $2, true, $3, $4, $5, $6, $7, $8)
      on conflict (request_id) do nothing`,
      [d.exportId, event.workspaceId, d.bucket, d.key, d.rows, d.bytes, d.sha256, d.columns ?? null],
    );
    await notifyOnCommit(em, DATASET_RESULT_CHANNEL, d.exportId);
    const job = await this.jobs.byIdOrParam(em, this.exports.definition, event.workspaceId, 'profilesRequestId', d.exportId);
    if (job && !['queued', 'running', 'succeeded'].includes(job.status)) await queueFileRemoval(em, [d.key]);
  }

  private async failed(event: EventEnvelope<DatasetFailedV1>, em: EntityManager): Promise<void> {
    const d = event.data;
    await em.query(
      `insert into dataset_result (request_id, workspace_id, ok, code, message) values ($1, $2, false, $3, $4) on conflict (request_id) do nothing`,
      [d.exportId, event.workspaceId, d.code, d.message],
    );
    await notifyOnCommit(em, DATASET_RESULT_CHANNEL, d.exportId);
  }
}
