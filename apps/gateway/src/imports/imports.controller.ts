import {
  contactsGetJobV1,
  DomainError,
  ErrorCode,
  importRejectsV1,
  importRepairsV1,
  startImportV1,
  type JobView,
  validationFailed,
} from '@custodian/contracts';
import { CommandClient } from '@custodian/messaging';
import { ObjectStorage } from '@custodian/storage';
import { Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { GatewayEnv } from '../config.js';
import { Commands } from '../http/commands.js';
import { bodyOf } from '../http/openapi.js';
import { QueryParams } from '../http/query-params.js';
import { receiveUpload } from './upload.js';

const TEXT_FIELDS = ['listId', 'mode', 'delimiter', 'quotes'] as const;
/** Every field a multipart form or the query string of a text/csv upload may carry. */
const FORM_FIELDS: readonly string[] = [...TEXT_FIELDS, 'mapping', 'dryRun'];
/** What a caller may send as JSON; the command's other fields (source, protectOptOuts, snapshotFirst) are for the backups service alone. */
const JSON_FIELDS = ['listId', 'mode', 'objectKey', 'mapping', 'dryRun', 'delimiter', 'quotes'];
/** Fields of the command that only other services set. */
const INTERNAL_FIELDS = ['fileSha256', 'source', 'protectOptOuts', 'snapshotFirst'] as const;

/** A JSON import request with only the documented fields, or VALIDATION_FAILED naming the others. */
function jsonCommandOf(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw validationFailed('', 'must be a JSON object', 'the body must be a JSON object');
  const unknown = Object.keys(body).filter((name) => !JSON_FIELDS.includes(name));
  if (unknown.length) {
    throw new DomainError(ErrorCode.ValidationFailed, `unknown field(s) of an import: ${unknown.join(', ')}`, {
      errors: unknown.map((path) => ({ path, message: `is not a field of an import (allowed: ${JSON_FIELDS.join(', ')})` })),
    });
  }
  return { ...body };
}

/** Multipart fields and query parameters arrive as text: turn them into the command's types. */
function commandOf(fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(fields)) {
    if (!FORM_FIELDS.includes(name)) {
      throw validationFailed(name, 'is not a field of an import', `unknown field "${name}"`);
    }
  }
  for (const name of TEXT_FIELDS) if (fields[name] !== undefined) out[name] = fields[name];
  if (fields.dryRun !== undefined) {
    if (!['true', 'false'].includes(fields.dryRun)) throw validationFailed('dryRun', 'must be true or false', 'dryRun must be true or false');
    out.dryRun = fields.dryRun === 'true';
  }
  if (fields.mapping !== undefined) {
    try {
      out.mapping = JSON.parse(fields.mapping);
    } catch {
      throw validationFailed('mapping', 'is not JSON', 'mapping must be a JSON object such as {"E-mail":"email"}');
    }
  }
  return out;
}

@ApiTags('imports')
@ApiBearerAuth()
@Controller('v1/imports')
export class ImportsController {
  constructor(
    private readonly commands: Commands,
    private readonly storage: ObjectStorage,
    private readonly env: GatewayEnv,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles('owner', 'admin', 'manager')
  @ApiOperation({
    summary: 'Import a CSV into a list, as a job',
    description:
      'Send the file as multipart/form-data (part "file" plus fields listId, mode, mapping (JSON), dryRun, delimiter, quotes), ' +
      'as text/csv with those as query parameters, or as JSON with the objectKey of an earlier upload. Modes: add (new contacts only), ' +
      'update (existing only), upsert (both). A status column is applied; without one, new members are subscribed and nobody who ' +
      'unsubscribed or bounced is re-subscribed. quotes: strict (default) fails the import on a quote inside an unquoted field ' +
      '(CSV_STRAY_QUOTE with the row); lenient keeps it as a character, as spreadsheets do, and lists each repaired row ' +
      '(links.repairedRows); a quoted field never closed fails either way (CSV_UNBALANCED_QUOTES). A record over the column ' +
      'or length limit fails the import (CSV_TOO_MANY_COLUMNS, CSV_LINE_TOO_LONG). Answers 202 with the job and a Location ' +
      'header. Idempotency-Key is honoured.',
  })
  @ApiConsumes('multipart/form-data', 'text/csv', 'application/json')
  @ApiBody({
    description:
      'multipart/form-data: part "file" plus fields listId, mode, mapping (JSON text), dryRun (true/false), delimiter, quotes (strict/lenient). ' +
      'text/csv: the file as the body, the same fields as query parameters. application/json: as below, with the objectKey of an earlier upload.',
    ...bodyOf('StartImportV1', ...INTERNAL_FIELDS),
  })
  @QueryParams(...FORM_FIELDS)
  async start(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<JobView> {
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    let data: Record<string, unknown>;
    let uploadedKey: string | undefined;
    if (type.startsWith('application/json')) {
      data = jsonCommandOf(req.body);
    } else {
      const upload = await receiveUpload(req, this.storage, caller.workspaceId, this.env.GATEWAY_UPLOAD_LIMIT_BYTES);
      uploadedKey = upload.stored.key;
      const fields = type.startsWith('text/csv') ? Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)])) : upload.fields;
      data = { ...commandOf(fields), objectKey: upload.stored.key, fileSha256: upload.stored.sha256 };
    }
    if (idempotencyKey !== undefined) data.idempotencyKey = idempotencyKey;
    try {
      const job = await this.commands.send(startImportV1, caller, req, data);
      res.setHeader('Location', `/v1/imports/${job.id}`);
      return job;
    } catch (err) {
      // Nothing will ever read an upload whose import was refused. Without an answer (a time-out), the job may be
      // queued already and need the file, so it stays: kept by mistake it costs storage, removed by mistake an import.
      const refused = err instanceof DomainError && (err.code !== ErrorCode.ServiceUnavailable || CommandClient.noResponder(err));
      if (uploadedKey && refused) await this.storage.remove('imports', uploadedKey).catch(() => undefined);
      throw err;
    }
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'An import job: status, progress, counters (rows, created, updated, unchanged, skipped, failed, repaired) and the links to its rejected and repaired rows',
  })
  async get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string) {
    const job = await this.commands.send(contactsGetJobV1, caller, req, { id });
    if (job.kind !== 'import') throw new DomainError(ErrorCode.NotFound, `import ${id} not found`);
    const result = job.result as { rejectsKey?: string | null; repairsKey?: string | null } | null;
    return {
      ...job,
      links: {
        self: `/v1/imports/${id}`,
        ...(result?.rejectsKey ? { rejectedRows: `/v1/imports/${id}/rejected-rows` } : {}),
        ...(result?.repairsKey ? { repairedRows: `/v1/imports/${id}/repaired-rows` } : {}),
      },
    };
  }

  @Get(':id/rejected-rows')
  @ApiOperation({ summary: 'Redirects to a short-lived download of the rejected rows: row number, reason and the original values' })
  async rejected(@CurrentCaller() caller: Caller, @Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const { url } = await this.commands.send(importRejectsV1, caller, req, { id });
    res.redirect(302, url);
  }

  @Get(':id/repaired-rows')
  @ApiOperation({
    summary:
      'Redirects to a short-lived download of the rows a lenient import repaired: row number, what was repaired (column and how), and the values as imported',
  })
  async repaired(@CurrentCaller() caller: Caller, @Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const { url } = await this.commands.send(importRepairsV1, caller, req, { id });
    res.redirect(302, url);
  }
}
