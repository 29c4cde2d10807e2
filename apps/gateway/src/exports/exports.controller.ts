import {
  cancelExportV1,
  createExportDestinationV1,
  deleteExportDestinationV1,
  downloadExportV1,
  getExportV1,
  getWebhookSecretV1,
  listExportDestinationsV1,
  listExportsV1,
  requestExportV1,
  type ExportDestinationView,
  type ExportPage,
  type ExportView,
} from '@custodian/contracts';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentCaller, Plans, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { PAGE_PARAMS, QueryParams } from '../http/query-params.js';
import { bodyOf, PAGE_DESCRIPTION } from '../http/openapi.js';
import { intQuery } from '../http/query.js';

/** Data exports: enterprise plan, owners, admins and managers. */
@ApiTags('exports')
@ApiBearerAuth()
@Controller('v1/exports')
@Plans('enterprise')
@Roles('owner', 'admin', 'manager')
export class ExportsController {
  constructor(private readonly commands: Commands) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Request an export of contacts, conversations, messages, failed_messages or users, as a job',
    description:
      'One export at a time per workspace (409 with the running one). An export running over 15 minutes is discarded; the workspace may ' +
      'request again 30 minutes after the discarded one was requested (429 with Retry-After before that). The file is valid for 7 days from the ' +
      'request. When it ends, notificationUrl receives a POST signed as Standard Webhooks do (webhook-id, webhook-timestamp, webhook-signature with ' +
      'the workspace secret of GET /v1/settings/export-webhook-secret), and events.exports.export.completed|failed|discarded.v1 is published. ' +
      'Cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) get a leading apostrophe, so ' +
      '"+49 30 1234" is written \'+49 30 1234: still readable, never evaluated.',
  })
  @ApiBody(bodyOf('RequestExportV1', 'idempotencyKey'))
  async request(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Body() body: object,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ExportView> {
    const view = await this.commands.send(requestExportV1, caller, req, { ...(body ?? {}), ...(idempotencyKey ? { idempotencyKey } : {}) });
    res.setHeader('Location', `/v1/exports/${view.id}`);
    return view;
  }

  @Get()
  @ApiOperation({ summary: 'Export history, newest first: requested at, dataset, requested by, status', description: PAGE_DESCRIPTION })
  @QueryParams(...PAGE_PARAMS)
  list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query() query: Record<string, string>): Promise<ExportPage> {
    const { limit, ...rest } = query;
    return this.commands.send(listExportsV1, caller, req, { ...rest, ...intQuery('limit', limit) });
  }

  @Get(':id')
  @ApiOperation({ summary: 'An export: status, progress, rows, bytes, sha256, expiresAt, error, delivery and notification' })
  get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<ExportView> {
    return this.commands.send(getExportV1, caller, req, { id });
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Cancels a queued or running export; its partial file is removed' })
  cancel(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<ExportView> {
    return this.commands.send(cancelExportV1, caller, req, { id });
  }

  @Get(':id/download')
  @ApiOperation({ summary: 'Redirects to a fresh short-lived download of the file while it is valid; 410 after' })
  async download(@CurrentCaller() caller: Caller, @Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const { url } = await this.commands.send(downloadExportV1, caller, req, { id });
    res.redirect(302, url);
  }
}

@ApiTags('exports')
@ApiBearerAuth()
@Controller('v1/settings')
@Roles('owner', 'admin')
export class ExportSettingsController {
  constructor(private readonly commands: Commands) {}

  @Get('export-destinations')
  @ApiOperation({ summary: "The workspace's allowlist of SFTP and WebDAV export destinations (passwords are never shown)" })
  destinations(@CurrentCaller() caller: Caller, @Req() req: Request): Promise<{ items: ExportDestinationView[] }> {
    return this.commands.send(listExportDestinationsV1, caller, req, {});
  }

  @Post('export-destinations')
  @HttpCode(201)
  @ApiOperation({ summary: 'Allow an SFTP or WebDAV server as an export destination (up to 100 per workspace); the password is stored encrypted' })
  @ApiBody(bodyOf('CreateExportDestinationV1'))
  addDestination(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<ExportDestinationView> {
    return this.commands.send(createExportDestinationV1, caller, req, body ?? {});
  }

  @Delete('export-destinations/:id')
  @ApiOperation({ summary: 'Remove a destination from the allowlist; deliveries still pending to it fail' })
  removeDestination(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.commands.send(deleteExportDestinationV1, caller, req, { id });
  }

  @Get('export-webhook-secret')
  @ApiOperation({ summary: 'The secret that signs export notifications (whsec_…, Standard Webhooks)' })
  webhookSecret(@CurrentCaller() caller: Caller, @Req() req: Request): Promise<{ secret: string }> {
    return this.commands.send(getWebhookSecretV1, caller, req, {});
  }
}
