import type { ExportView } from '@custodian/contracts';
import { toJobView, type TypedJobRow } from '@custodian/jobs';
import type { EntityManager } from 'typeorm';
import type { ExportParams, ExportResult } from '../runs/export-run.js';

export type ExportJobRow = TypedJobRow<ExportParams, ExportResult>;

/** Where an export's notification and delivery stand (the exports service's own tables). */
interface SendingState {
  n_status: 'pending' | 'delivered' | 'failed' | null;
  n_attempts: number | null;
  n_error: string | null;
  d_status: 'pending' | 'delivered' | 'failed' | null;
  d_attempts: number | null;
  d_error: string | null;
  d_delivered_at: Date | null;
}

export type ExportRow = ExportJobRow & SendingState;

/** The kind of a workspace's export destination, or null when it has none of that id. */
export async function destinationKind(em: EntityManager, workspaceId: string, destinationId: string | undefined): Promise<string | null> {
  const [destination] = (await em.query('select kind from destination where workspace_id = $1 and id = $2', [workspaceId, destinationId ?? null])) as {
    kind: string;
  }[];
  return destination?.kind ?? null;
}

/** The export jobs with where their notification and delivery stand, in one query for all of them. */
export async function withSending<T extends ExportJobRow>(em: EntityManager, rows: T[]): Promise<(T & SendingState)[]> {
  if (!rows.length) return [];
  const states = (await em.query(
    `select j.id, n.status as n_status, n.attempts as n_attempts, n.last_error as n_error,
      d.status as d_status, d.attempts as d_attempts, d.last_error as d_error, d.delivered_at as d_delivered_at
    from unnest($1::uuid[]) as j(id) left join notification n on n.job_id = j.id left join delivery d on d.job_id = j.id`,
    [rows.map((r) => r.id)],
  )) as (SendingState & { id: string })[];
  const byId = new Map(states.map((s) => [s.id, s]));
  return rows.map((r) => ({ ...r, ...byId.get(r.id)! }));
}

export function toExportView(row: ExportRow): ExportView {
  const { kind: _kind, result: _result, ...job } = toJobView(row);
  const r = row.params.request;
  const result = job.status === 'succeeded' ? row.result : null;
  return {
    ...job,
    dataset: r.dataset,
    rows: result?.rows ?? null,
    bytes: result?.bytes ?? null,
    sha256: result?.sha256 ?? null,
    request: {
      from: r.from ?? null,
      to: r.to ?? null,
      fields: r.fields ?? null,
      filters: r.filters ?? {},
      timeZone: r.timeZone,
      delimiter: r.delimiter,
      header: r.header,
      compression: r.compression,
    },
    delivery: {
      method: r.delivery.method,
      destinationId: r.delivery.destinationId ?? null,
      status: r.delivery.method === 'download' ? null : (row.d_status ?? (job.status === 'succeeded' ? 'pending' : null)),
      attempts: row.d_attempts ?? 0,
      error: row.d_error ?? null,
      deliveredAt: row.d_delivered_at?.toISOString() ?? null,
    },
    notification: r.notificationUrl
      ? { url: r.notificationUrl, status: row.n_status ?? 'pending', attempts: row.n_attempts ?? 0, error: row.n_error ?? null }
      : null,
  };
}
