import { archiveGetJobV1, listArchivedContactsV1, restoreOutcomesV1, startRestoreV1, type ArchivedContactView, type Page } from '@custodian/contracts';
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { PAGE_PARAMS, QueryParams } from '../http/query-params.js';
import { bodyOf, PAGE_DESCRIPTION } from '../http/openapi.js';
import { boolQuery, intQuery } from '../http/query.js';

@ApiTags('archive')
@ApiBearerAuth()
@Controller('v1/archive')
export class ArchiveController {
  constructor(private readonly commands: Commands) {}

  @Get('contacts')
  @ApiOperation({
    summary: 'Archived contacts: filter by email, name, listId, tag, archivedFrom/archivedTo and restorable; cursor pagination',
    description:
      'Each item says when it was archived, from when and until when it can be restored, and if not, why: frozen (too recent), ' +
      'expired (past the restore window), merged (never restorable), email_in_use (a live contact has its email now). ' +
      PAGE_DESCRIPTION,
  })
  @QueryParams('email', 'name', 'listId', 'tag', 'archivedFrom', 'archivedTo', { name: 'restorable', type: Boolean }, ...PAGE_PARAMS)
  list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query() query: Record<string, string>): Promise<Page<ArchivedContactView>> {
    const { limit, restorable, ...rest } = query;
    return this.commands.send(listArchivedContactsV1, caller, req, { ...rest, ...intQuery('limit', limit), ...boolQuery('restorable', restorable) });
  }

  @Post('restores')
  @HttpCode(202)
  @Roles('owner', 'admin')
  @ApiBody(bodyOf('StartRestoreV1', 'dryRun'))
  @ApiOperation({
    summary: 'Restore archived contacts by contactIds (up to 20,000) or filter, as a job (one at a time per workspace)',
    description:
      'Every contact is checked first: 422 lists each refused contact and why (the first 1,000). 409 when a restore is running (with its id) ' +
      'or when the restore would pass the active-contact limit without confirmOverage: true. ?dryRun=true answers how many contacts would be ' +
      'restored (restorableCount) and refused (refusedCount), with the first 1,000 of each: what each would lose, or why it is refused. ' +
      'Events of restored contacts carry origin "restore": automations and campaigns ignore them.',
  })
  async start(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Body() body: object,
    @Query('dryRun') dryRun?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const reply = await this.commands.send(startRestoreV1, caller, req, {
      ...(body ?? {}),
      ...boolQuery('dryRun', dryRun),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    if ('id' in reply) res.setHeader('Location', `/v1/archive/restores/${reply.id}`);
    else res.status(200);
    return reply;
  }

  @Get('restores/:id')
  @ApiOperation({ summary: 'A restore job: status, progress, counts (restored, conflicts, skipped) and the link to per-contact outcomes' })
  async get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string) {
    const job = await this.commands.send(archiveGetJobV1, caller, req, { id });
    const done = (job.result as { outcomesKey?: string } | null)?.outcomesKey;
    return { ...job, links: { self: `/v1/archive/restores/${id}`, ...(done ? { outcomes: `/v1/archive/restores/${id}/outcomes` } : {}) } };
  }

  @Get('restores/:id/outcomes')
  @ApiOperation({ summary: 'Redirects to a short-lived download of the per-contact outcomes (CSV)' })
  async outcomes(@CurrentCaller() caller: Caller, @Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const { url } = await this.commands.send(restoreOutcomesV1, caller, req, { id });
    res.redirect(302, url);
  }
}
