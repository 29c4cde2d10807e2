import {
  createProgramV1,
  getProgramV1,
  listProgramsV1,
  transitionProgramV1,
  updateProgramV1,
  type Page,
  type ProgramKind,
  type ProgramView,
} from '@custodian/contracts';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { PAGE_PARAMS, QueryParams } from '../http/query-params.js';
import { bodyOf, PAGE_DESCRIPTION } from '../http/openapi.js';
import { intQuery } from '../http/query.js';

/** /v1/campaigns and /v1/canvases: the same resource for each kind of messaging program. */
function programsController(path: 'campaigns' | 'canvases', kind: ProgramKind): Type<unknown> {
  @ApiTags(path)
  @ApiBearerAuth()
  @Controller(`v1/${path}`)
  class ProgramsController {
    constructor(readonly commands: Commands) {}

    @Post()
    @HttpCode(201)
    @Roles('owner', 'admin', 'manager')
    @ApiOperation({ summary: `Create a ${kind} as a draft: { name, tags?, steps?, variants?, retargeting?: { programIds?, tags? } }` })
    @ApiBody(bodyOf('CreateProgramV1', 'kind'))
    async create(@CurrentCaller() caller: Caller, @Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: object): Promise<ProgramView> {
      const program = await this.commands.send(createProgramV1, caller, req, { ...(body ?? {}), kind });
      res.setHeader('Location', `/v1/${path}/${program.id}`);
      return program;
    }

    @Get()
    @ApiOperation({ summary: `${kind}s; filter by tag and status; cursor pagination`, description: PAGE_DESCRIPTION })
    @QueryParams('tag', 'status', ...PAGE_PARAMS)
    list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query() query: Record<string, string>): Promise<Page<ProgramView>> {
      const { limit, ...rest } = query;
      return this.commands.send(listProgramsV1, caller, req, { ...rest, ...intQuery('limit', limit), kind });
    }

    @Get(':id')
    @ApiOperation({ summary: `A ${kind}, with where its interaction data is: live, expiring (with the date), expired or restoring` })
    get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<ProgramView> {
      return this.commands.send(getProgramV1, caller, req, { kind, id });
    }

    @Patch(':id')
    @Roles('owner', 'admin', 'manager')
    @ApiOperation({ summary: `Rename, re-tag or change the steps, variants or retargeting filter of a ${kind}` })
    @ApiBody(bodyOf('UpdateProgramV1', 'kind', 'id'))
    update(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string, @Body() body: object): Promise<ProgramView> {
      return this.commands.send(updateProgramV1, caller, req, { ...(body ?? {}), kind, id });
    }

    @Post(':id/start')
    @HttpCode(200)
    @Roles('owner', 'admin', 'manager')
    @ApiOperation({ summary: `Start a draft ${kind}` })
    start(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<ProgramView> {
      return this.commands.send(transitionProgramV1, caller, req, { kind, id, action: 'start' });
    }

    @Post(':id/stop')
    @HttpCode(200)
    @Roles('owner', 'admin', 'manager')
    @ApiOperation({ summary: `Stop an active ${kind}: its interaction data expires after the configured time unless an active program retargets it by id` })
    stop(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<ProgramView> {
      return this.commands.send(transitionProgramV1, caller, req, { kind, id, action: 'stop' });
    }

    @Post(':id/resume')
    @HttpCode(200)
    @Roles('owner', 'admin', 'manager')
    @ApiOperation({
      summary: `Resume a stopped ${kind}`,
      description: 'When its interaction data has expired, answers 409 INTERACTION_DATA_EXPIRED: restore the data first.',
    })
    resume(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<ProgramView> {
      return this.commands.send(transitionProgramV1, caller, req, { kind, id, action: 'resume' });
    }
  }
  return ProgramsController;
}

export const CampaignsController = programsController('campaigns', 'campaign');
export const CanvasesController = programsController('canvases', 'canvas');
