import type { BackupPolicyView, BackupView, Page, RestoreBackupReply } from '@custodian/contracts';
import {
  backupsGetJobV1,
  DomainError,
  downloadBackupV1,
  ERROR_CODES,
  ErrorCode,
  getBackupPolicyV1,
  getBackupV1,
  listBackupsV1,
  restoreBackupV1,
  setBackupPolicyV1,
} from '@custodian/contracts';
import { LOGGER, type Logger } from '@custodian/observability';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { PAGE_PARAMS, QueryParams } from '../http/query-params.js';
import { bodyOf, PAGE_DESCRIPTION } from '../http/openapi.js';
import { intQuery } from '../http/query.js';
import { downloadFormat, sendSpreadsheetSafe } from './spreadsheet-download.js';

@ApiTags('backups')
@ApiBearerAuth()
@Controller('v1')
export class BackupsController {
  constructor(
    private readonly commands: Commands,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('settings/backups')
  @Roles('owner', 'admin')
  @ApiOperation({ summary: 'The backup policy: automatic backups on or off, and excluded lists' })
  policy(@CurrentCaller() caller: Caller, @Req() req: Request): Promise<BackupPolicyView> {
    return this.commands.send(getBackupPolicyV1, caller, req, {});
  }

  @Put('settings/backups')
  @Roles('owner', 'admin')
  @ApiBody(bodyOf('SetBackupPolicyV1'))
  @ApiOperation({ summary: 'Replace the backup policy: { automaticBackups, excludedListIds }' })
  setPolicy(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<BackupPolicyView> {
    return this.commands.send(setBackupPolicyV1, caller, req, body ?? {});
  }

  @Get('backups')
  @ApiOperation({ summary: 'Backups, sorted by list then date (newest first); filter by listId and from/to (ISO dates)', description: PAGE_DESCRIPTION })
  @QueryParams('listId', 'from', 'to', ...PAGE_PARAMS)
  list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query() query: Record<string, string>): Promise<Page<BackupView>> {
    const { limit, ...rest } = query;
    return this.commands.send(listBackupsV1, caller, req, { ...rest, ...intQuery('limit', limit) });
  }

  @Get('backups/:id')
  get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<BackupView> {
    return this.commands.send(getBackupV1, caller, req, { id });
  }

  @Get('backups/:id/download')
  @ApiOperation({
    summary: 'Download the backup CSV: exact (default, a redirect to a short-lived link) or for spreadsheets; 410 once the backup expired',
    description:
      'format=exact (the default) redirects to the file exactly as stored: it imports back unchanged. format=spreadsheet answers ' +
      'the file itself for people who open it in a spreadsheet: every cell that starts with =, +, -, @ or a tab (or a carriage ' +
      'return inside quotes) gets a leading apostrophe so it is not run as a formula, and the file starts with a UTF-8 BOM. ' +
      'Do not import that one back: its cells were changed.',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['exact', 'spreadsheet'] })
  async download(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Query('format') format?: unknown,
  ): Promise<void> {
    const as = downloadFormat(format);
    const link = await this.commands.send(downloadBackupV1, caller, req, { id });
    if (as === 'exact') res.redirect(302, link.url);
    else await sendSpreadsheetSafe(link, res, this.logger);
  }

  @Post('backups/:id/restore')
  @HttpCode(202)
  @Roles('owner', 'admin')
  @ApiOperation({
    summary: 'Restore a backup into its list, as a job',
    description:
      'Imports the backup in upsert mode with its subscription data, re-creating the list under its old name if it was ' +
      'deleted (the answer carries the list id). Rule: a member who is unsubscribed or bounced in the list now stays so, whatever ' +
      'the backup says; a member unsubscribed or bounced in the backup is restored so. The list is backed up first, so a restore ' +
      'can be undone. The file is checked against its sha256 first. Body: { dryRun? }. Idempotency-Key is honoured.',
  })
  async restore(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param('id') id: string,
    @Body() body: { dryRun?: unknown } | undefined,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<RestoreBackupReply> {
    // dryRun as sent: the command client refuses one that is not a boolean.
    const job = await this.commands.send(restoreBackupV1, caller, req, {
      id,
      ...(body?.dryRun !== undefined ? { dryRun: body.dryRun as boolean } : {}),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    res.setHeader('Location', `/v1/jobs/${job.id}`);
    return job;
  }

  @Get('backups/:id/diff')
  @Roles('owner', 'admin')
  @ApiOperation({ summary: 'What a restore would do, counted by a dry run: members added, updated, unchanged, and status changes' })
  async diff(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string) {
    const started = await this.commands.send(restoreBackupV1, caller, req, { id, dryRun: true });
    const until = Date.now() + 60_000;
    for (;;) {
      const job = await this.commands.send(backupsGetJobV1, caller, req, { id: started.id });
      if (job.status === 'succeeded') {
        const r = job.result as Record<string, number | string | boolean | null>;
        return {
          backupId: id,
          listId: r.listId,
          listRecreated: r.listRecreated,
          added: r.created,
          updated: r.updated,
          unchanged: r.unchanged,
          statusChanges: r.statusChanged,
          invalid: r.failed,
        };
      }
      if (!['queued', 'running'].includes(job.status)) {
        const code = ERROR_CODES.includes(job.error?.code as ErrorCode) ? (job.error!.code as ErrorCode) : ErrorCode.Internal;
        throw new DomainError(code, `the comparison failed: ${job.error?.code ?? job.status}: ${job.error?.message ?? ''}`);
      }
      if (Date.now() > until) throw new DomainError(ErrorCode.ServiceUnavailable, `the comparison is still running; follow /v1/jobs/${job.id}`);
      await sleep(200);
    }
  }
}
