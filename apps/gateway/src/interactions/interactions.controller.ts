import {
  audienceQueryV1,
  contactReceivedV1,
  expiringProgramsV1,
  ingestInteractionsV1,
  interactionsGetJobV1,
  startInteractionRestoreV1,
  type AudiencePage,
  type IngestReply,
  type JobView,
  type Page,
  type ProgramView,
  type ReceivedProgram,
} from '@custodian/contracts';
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { bodyOf, PAGE_DESCRIPTION } from '../http/openapi.js';
import { intQuery } from '../http/query.js';

@ApiTags('interactions')
@ApiBearerAuth()
@Controller('v1/interactions')
export class InteractionsController {
  constructor(private readonly commands: Commands) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record a batch of interactions (received, opened, clicked, converted, bounced, failed), conversations and messages: at most 2,000 items in all',
    description:
      'All or nothing: an interaction naming an unknown campaign or canvas refuses the batch (422 UNKNOWN_PROGRAM, with its index). ' +
      'Idempotent by interaction id: a replayed id counts as a duplicate and is stored once. Conversations (by conversationId) and messages ' +
      '(by messageId, with their delivery status) keep their latest version: one with an older or equal updatedAt / statusAt changes nothing. ' +
      'Interactions of a campaign or canvas whose data has expired are kept: they stay out of audiences, received lists and the users dataset ' +
      'until the data is restored, and expire to long-term storage in turn after another period.',
  })
  @ApiBody(bodyOf('IngestInteractionsV1'))
  ingest(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<IngestReply> {
    return this.commands.send(ingestInteractionsV1, caller, req, body ?? {});
  }

  @Post('restores')
  @HttpCode(202)
  @Roles('owner', 'admin', 'manager')
  @ApiOperation({
    summary: 'Restore expired interaction data of campaigns and canvases by programIds, by tag, or both (bulk), as a job',
    description:
      'Each segment is checked against its manifest (bytes, sha256, rows) as it is read back. When the job ends, ' +
      'events.interactions.restore.completed.v1 is the notification. Restored data expires again after another full period without activity.',
  })
  @ApiBody(bodyOf('StartInteractionRestoreV1', 'idempotencyKey'))
  async restore(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Body() body: object,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<JobView> {
    const job = await this.commands.send(startInteractionRestoreV1, caller, req, { ...(body ?? {}), ...(idempotencyKey ? { idempotencyKey } : {}) });
    res.setHeader('Location', `/v1/interactions/restores/${job.id}`);
    return job;
  }

  @Get('restores/:id')
  @ApiOperation({ summary: 'A restore of interaction data: status, progress (programs), rows restored' })
  getRestore(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<JobView> {
    return this.commands.send(interactionsGetJobV1, caller, req, { id });
  }

  @Post('audience')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Retargeting audience: contacts who received, opened, clicked or converted from a campaign or canvas (or a step, variant, control group), or from any with a tag',
    description:
      'Expired interaction data is left out; expiredProgramIds names the matched campaigns and canvases whose data is expired (at most 1,000). ' +
      'Pages in contact id order: up to limit contacts, fewer when more would make too large an answer; nextCursor is the only end-of-data signal.',
  })
  @ApiBody(bodyOf('AudienceQueryV1'))
  audience(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<AudiencePage> {
    return this.commands.send(audienceQueryV1, caller, req, body ?? {});
  }

  @Get('contacts/:contactId/received')
  @ApiOperation({
    summary: "The campaigns and canvases a contact received messages from (the profile's lists); expired data left out",
    description: 'The 500 most recent of each kind, most recent first.',
  })
  received(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Param('contactId') contactId: string,
  ): Promise<{ campaigns: ReceivedProgram[]; canvases: ReceivedProgram[] }> {
    return this.commands.send(contactReceivedV1, caller, req, { contactId });
  }

  @Get('expiring')
  @ApiOperation({
    summary: 'Campaigns and canvases whose interaction data expires within withinDays (default 30), soonest first; cursor pagination',
    description: PAGE_DESCRIPTION,
  })
  expiring(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Query('withinDays') withinDays?: string,
    @Query('cursor') cursor?: string,
  ): Promise<Page<ProgramView>> {
    return this.commands.send(expiringProgramsV1, caller, req, { ...intQuery('withinDays', withinDays), ...(cursor ? { cursor } : {}) });
  }
}
