import {
  createListV1,
  deleteListV1,
  getListV1,
  listListsV1,
  listMembersV1,
  setMembershipV1,
  type ListView,
  type MemberView,
  type Page,
} from '@custodian/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { PAGE_PARAMS, QueryParams } from '../http/query-params.js';
import { bodyOf, PAGE_DESCRIPTION } from '../http/openapi.js';
import { intQuery } from '../http/query.js';

@ApiTags('lists')
@ApiBearerAuth()
@Controller('v1/lists')
export class ListsController {
  constructor(private readonly commands: Commands) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a list (name unique per workspace, case-insensitive)' })
  @ApiBody(bodyOf('CreateListV1'))
  create(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<ListView> {
    return this.commands.send(createListV1, caller, req, body ?? {});
  }

  @Get()
  @ApiOperation({ summary: 'Lists of the workspace with their member counts; cursor pagination', description: PAGE_DESCRIPTION })
  list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query('cursor') cursor?: string, @Query('limit') limit?: string): Promise<Page<ListView>> {
    return this.commands.send(listListsV1, caller, req, { ...(cursor ? { cursor } : {}), ...intQuery('limit', limit) });
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<ListView> {
    return this.commands.send(getListV1, caller, req, { id });
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a list and its memberships (contacts stay). From the back office (client app), a backup of the list is taken first' })
  @Roles('owner', 'admin', 'manager')
  delete(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string) {
    return this.commands.send(deleteListV1, caller, req, { id });
  }

  @Get(':id/members')
  @ApiOperation({ summary: 'Members of a list with their status; filter by status; cursor pagination', description: PAGE_DESCRIPTION })
  @QueryParams('status', ...PAGE_PARAMS)
  members(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Param('id') listId: string,
    @Query() query: Record<string, string>,
  ): Promise<Page<MemberView>> {
    const { limit, ...rest } = query;
    return this.commands.send(listMembersV1, caller, req, { ...rest, listId, ...intQuery('limit', limit) });
  }

  @Put(':id/members')
  @ApiOperation({
    summary: 'Add contacts to the list or change their status: { members: [{ contactId, status }] } (up to 1,000)',
    description:
      'A member who unsubscribed or bounced is never made subscribed or unconfirmed again (409 OPT_OUT_PROTECTED), unless an owner or ' +
      'admin sends `consent`: how and when the person asked to be subscribed again. The consent is kept in the membership.changed events.',
  })
  @ApiBody(bodyOf('SetMembershipV1', 'listId'))
  setMembers(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') listId: string, @Body() body: object): Promise<{ changed: number }> {
    return this.commands.send(setMembershipV1, caller, req, { ...(body ?? {}), listId });
  }
}
