import { createTagV1, deleteTagV1, listTagsV1, type Page, type TagView } from '@custodian/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { bodyOf, PAGE_DESCRIPTION } from '../http/openapi.js';
import { intQuery } from '../http/query.js';

@ApiTags('tags')
@ApiBearerAuth()
@Controller('v1/tags')
export class TagsController {
  constructor(private readonly commands: Commands) {}

  @Post()
  @HttpCode(201)
  @ApiBody(bodyOf('CreateTagV1'))
  create(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<TagView> {
    return this.commands.send(createTagV1, caller, req, body ?? {});
  }

  @Get()
  @ApiOperation({ summary: 'Tags of the workspace with how many contacts carry each; cursor pagination', description: PAGE_DESCRIPTION })
  list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query('cursor') cursor?: string, @Query('limit') limit?: string): Promise<Page<TagView>> {
    return this.commands.send(listTagsV1, caller, req, { ...(cursor ? { cursor } : {}), ...intQuery('limit', limit) });
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a tag; contacts lose it' })
  @Roles('owner', 'admin', 'manager')
  delete(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.commands.send(deleteTagV1, caller, req, { id });
  }
}
