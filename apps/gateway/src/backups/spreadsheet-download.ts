import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { DomainError, ErrorCode, validationFailed } from '@custodian/contracts';
import { spreadsheetSafeCsv } from '@custodian/csv';
import type { Logger } from '@custodian/observability';
import { attachmentDisposition } from '@custodian/storage';
import type { Response } from 'express';

export type DownloadFormat = 'exact' | 'spreadsheet';

/** The `format` query parameter of a download: `exact` (the default) or `spreadsheet`. */
export function downloadFormat(value: unknown): DownloadFormat {
  if (value === undefined || value === 'exact') return 'exact';
  if (value === 'spreadsheet') return 'spreadsheet';
  throw validationFailed('format', 'must be exact or spreadsheet', 'format must be exact (the file as stored) or spreadsheet');
}

/**
 * Streams a stored CSV, read through its short-lived link, to the caller as the variant for
 * spreadsheets: every cell that starts like a formula gets a leading `'`, and a UTF-8 BOM comes
 * first. Chunk by chunk with backpressure, so the gateway holds a chunk or two whatever the size
 * of the file; nothing is stored. The caller going away stops the read from storage.
 */
export async function sendSpreadsheetSafe(link: { url: string; fileName: string }, res: Response, logger: Logger): Promise<void> {
  const stop = new AbortController();
  res.once('close', () => stop.abort());
  const unavailable = (why: string, cause?: unknown) =>
    new DomainError(ErrorCode.ServiceUnavailable, `the backup file could not be read from storage (${why}); try again`, {}, { cause });
  const upstream = await fetch(link.url, { signal: stop.signal }).catch((err: unknown) => {
    throw unavailable((err as Error).message, err);
  });
  if (!upstream.ok || !upstream.body) {
    await upstream.body?.cancel().catch(() => undefined);
    throw unavailable(`it answered ${upstream.status}`);
  }
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', attachmentDisposition(link.fileName.replace(/\.csv$/, '') + '-spreadsheet.csv'));
  try {
    await pipeline(Readable.fromWeb(upstream.body as ReadableStream<Uint8Array>), spreadsheetSafeCsv({ bom: true }), res);
  } catch (err) {
    // Too late for a problem answer (pipeline has ended the response): the caller sees an incomplete
    // body. Only a failure on this side is worth a warning, not a caller that went away.
    if (!stop.signal.aborted) logger.warn({ err }, 'a spreadsheet download ended early');
  }
}
