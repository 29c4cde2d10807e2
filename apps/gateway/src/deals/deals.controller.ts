import { createDealV1, deleteDealV1, getDealV1, listDealsV1, updateDealV1, type DealView, type Page } from '@custodian/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { PAGE_PARAMS, QueryParams } from '../http/query-params.js';
import { bodyOf, PAGE_DESCRIPTION } from '../http/openapi.js';
import { intQuery } from '../http/query.js';

@ApiTags('deals')
@ApiBearerAuth()
@Controller('v1/deals')
export class DealsController {
  constructor(private readonly commands: Commands) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a deal with one or more contacts, one of them primary: { name, amount?, stage?, contactIds, primaryContactId }' })
  @ApiBody(bodyOf('CreateDealV1'))
  create(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<DealView> {
    return this.commands.send(createDealV1, caller, req, body ?? {});
  }

  @Get()
  @ApiOperation({ summary: 'Deals; filter by contactId; cursor pagination', description: PAGE_DESCRIPTION })
  @QueryParams('contactId', ...PAGE_PARAMS)
  list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query() query: Record<string, string>): Promise<Page<DealView>> {
    const { limit, ...rest } = query;
    return this.commands.send(listDealsV1, caller, req, { ...rest, ...intQuery('limit', limit) });
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<DealView> {
    return this.commands.send(getDealV1, caller, req, { id });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a deal: { name?, amount?, stage?, addContactIds?, removeContactIds?, primaryContactId? }' })
  @ApiBody(bodyOf('UpdateDealV1', 'id'))
  update(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string, @Body() body: object): Promise<DealView> {
    return this.commands.send(updateDealV1, caller, req, { ...(body ?? {}), id });
  }

  @Delete(':id')
  @Roles('owner', 'admin', 'manager')
  delete(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.commands.send(deleteDealV1, caller, req, { id });
  }
}
