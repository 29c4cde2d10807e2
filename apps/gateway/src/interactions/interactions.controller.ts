import type { IngestReply, JobView } from '@custodian/contracts';
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { bodyOf } from '../http/openapi.js';

@ApiTags('interactions')
@ApiBearerAuth()
@Controller('v1/interactions')
export class InteractionsController {
  constructor(private readonly commands: Commands) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record a batch of interactions (received, opened, clicked, converted, bounced, failed), at most 2,000',
    description: 'All or nothing: an interaction naming an unknown campaign or canvas refuses the batch (422 UNKNOWN_PROGRAM, with its index). '
      + 'Idempotent by interaction id: a replayed id counts as a duplicate and is stored once.',
  })
  @ApiBody(bodyOf('IngestInteractionsV1'))
  ingest(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<IngestReply> {
    return this.commands.send('interactions.interaction.ingest.v1', caller, req, body ?? {});
  }

  @Post('restores')
  @HttpCode(202)
  @Roles('owner', 'admin', 'manager')
  @ApiOperation({
    summary: 'Restore expired interaction data of campaigns and canvases by programIds, by tag, or both (bulk), as a job',
    description: 'Each segment is checked against its manifest (bytes, sha256, rows) as it is read back. When the job ends, '
      + 'events.interactions.restore.completed.v1 is the notification. Restored data expires again after another full period without activity.',
  })
  @ApiBody(bodyOf('StartInteractionRestoreV1', 'idempotencyKey'))
  async restore(@CurrentCaller() caller: Caller, @Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: object,
    @Headers('idempotency-key') idempotencyKey?: string): Promise<JobView> {
    const job = await this.commands.send<JobView>('interactions.restore.start.v1', caller, req, { ...(body ?? {}), ...(idempotencyKey ? { idempotencyKey } : {}) });
    res.setHeader('Location', `/v1/interactions/restores/${job.id}`);
    return job;
  }

  @Get('restores/:id')
  @ApiOperation({ summary: 'A restore of interaction data: status, progress (programs), rows restored' })
  getRestore(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<JobView> {
    return this.commands.send('interactions.job.get.v1', caller, req, { id });
  }
}
