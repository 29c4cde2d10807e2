import type { IngestReply } from '@custodian/contracts';
import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentCaller } from '../auth/auth.guard.js';
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
}
