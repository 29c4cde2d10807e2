import { datasetExportedV1, datasetFailedV1, interactionsDatasetExportedV1, interactionsDatasetFailedV1, type DatasetExportedV1, type DatasetFailedV1, type EventEnvelope } from '@custodian/contracts';
import { OnEvent } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queueFileRemoval } from '../retention/file-sweeper.js';

/**
 * What the data owners report for dataset requests, kept for the export waiting on it. A file
 * that arrives for an export that already ended (cancelled, discarded, failed) is queued for removal.
 */
@Controller()
export class DatasetResults {
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
    await em.query(`insert into dataset_result (request_id, workspace_id, ok, bucket, key, rows, bytes, sha256, columns) values ($1, $2, true, $3, $4, $5, $6, $7, $8)
      on conflict (request_id) do nothing`, [d.exportId, event.workspaceId, d.bucket, d.key, d.rows, d.bytes, d.sha256, d.columns ?? null]);
    const [job] = (await em.query(`select status from job where workspace_id = $1 and kind = 'export' and (id = $2 or params->>'profilesRequestId' = $2::text)`,
      [event.workspaceId, d.exportId])) as { status: string }[];
    if (job && !['queued', 'running', 'succeeded'].includes(job.status)) await queueFileRemoval(em, [d.key]);
  }

  private async failed(event: EventEnvelope<DatasetFailedV1>, em: EntityManager): Promise<void> {
    const d = event.data;
    await em.query(`insert into dataset_result (request_id, workspace_id, ok, code, message) values ($1, $2, false, $3, $4) on conflict (request_id) do nothing`,
      [d.exportId, event.workspaceId, d.code, d.message]);
  }
}
