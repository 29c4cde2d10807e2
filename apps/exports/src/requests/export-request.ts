import { DomainError, ErrorCode, INTERACTION_DATASET_COLUMNS, isContactDatasetField, RANGED_DATASETS, type RequestExportV1 } from '@custodian/contracts';
import { formatDuration } from '@custodian/config';
import type { ExportsEnv } from '../config.js';
import { notifyPolicy } from '../notifications/notifications.js';
import { checkUrl, RefusedUrl } from '../notifications/safe-post.js';
import type { ExportRequest } from '../runs/export-run.js';

/** The request with its defaults, or VALIDATION_FAILED naming every problem. */
export function checkedRequest(data: RequestExportV1, env: ExportsEnv): ExportRequest {
  const errors: { path: string; message: string }[] = [];
  const ranged = RANGED_DATASETS.includes(data.dataset);
  if (ranged && (!data.from || !data.to)) errors.push({ path: data.from ? 'to' : 'from', message: `from and to are required for ${data.dataset}` });
  if (data.from && data.to) {
    const span = Date.parse(data.to) - Date.parse(data.from);
    if (span <= 0) errors.push({ path: 'to', message: 'must be after from' });
    if (span > env.EXPORTS_MAX_RANGE) errors.push({ path: 'to', message: `the range is at most a year (${formatDuration(env.EXPORTS_MAX_RANGE)})` });
  }
  const known = (f: string) =>
    data.dataset === 'contacts' ? isContactDatasetField(f) : (INTERACTION_DATASET_COLUMNS[data.dataset] as readonly string[]).includes(f);
  for (const f of data.fields ?? []) {
    if (!known(f)) errors.push({ path: 'fields', message: `"${f}" is not a column of ${data.dataset}` });
  }
  const f = data.filters ?? {};
  if (f.campaignId && ['contacts', 'conversations'].includes(data.dataset))
    errors.push({ path: 'filters.campaignId', message: `does not apply to ${data.dataset}` });
  if ((f.listId || f.tag) && !['contacts', 'users'].includes(data.dataset))
    errors.push({ path: f.listId ? 'filters.listId' : 'filters.tag', message: `does not apply to ${data.dataset}` });
  const delivery = data.delivery ?? { method: 'download' };
  if (delivery.method === 'download' && delivery.destinationId) errors.push({ path: 'delivery.destinationId', message: 'only for sftp and webdav delivery' });
  if (data.notificationUrl) {
    try {
      checkUrl(data.notificationUrl, notifyPolicy(env));
    } catch (err) {
      if (!(err instanceof RefusedUrl)) throw err;
      throw new DomainError(ErrorCode.NotificationUrlRefused, `notificationUrl refused: ${err.message}`, {
        errors: [{ path: 'notificationUrl', message: err.message }],
      });
    }
  }
  if (errors.length) throw new DomainError(ErrorCode.ValidationFailed, errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  return {
    ...data,
    timeZone: data.timeZone ?? env.EXPORTS_DEFAULT_TIME_ZONE,
    delimiter: data.delimiter ?? ',',
    header: data.header ?? true,
    compression: data.compression ?? 'none',
    delivery,
    idempotencyKey: undefined,
  };
}
