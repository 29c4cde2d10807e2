import { createAccountV2, deleteAccountV1, getAccountV2, listAccountsV2, updateAccountV2, type AccountView, type Page } from '@custodian/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { bodyOf, PAGE_DESCRIPTION } from '../http/openapi.js';
import { intQuery } from '../http/query.js';

const ACCOUNT_DESCRIPTION =
  'An account carries contactCount, not its contacts (they could be too many for one answer): ' + 'GET /v1/contacts?accountId={id} pages through them.';

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly commands: Commands) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an account (company), optionally linked to up to 1,000 contacts: { name, domain?, contactIds? }',
    description: ACCOUNT_DESCRIPTION,
  })
  @ApiBody(bodyOf('CreateAccountV2'))
  create(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<AccountView> {
    return this.commands.send(createAccountV2, caller, req, body ?? {});
  }

  @Get()
  @ApiOperation({ summary: 'Accounts of the workspace with how many contacts each has; cursor pagination', description: PAGE_DESCRIPTION })
  list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query('cursor') cursor?: string, @Query('limit') limit?: string): Promise<Page<AccountView>> {
    return this.commands.send(listAccountsV2, caller, req, { ...(cursor ? { cursor } : {}), ...intQuery('limit', limit) });
  }

  @Get(':id')
  @ApiOperation({ summary: 'An account with how many contacts are linked to it', description: ACCOUNT_DESCRIPTION })
  get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<AccountView> {
    return this.commands.send(getAccountV2, caller, req, { id });
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Rename, change domain, link or unlink contacts (up to 1,000 of each per request): { name?, domain?, addContactIds?, removeContactIds? }',
    description: ACCOUNT_DESCRIPTION,
  })
  @ApiBody(bodyOf('UpdateAccountV2', 'id'))
  update(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string, @Body() body: object): Promise<AccountView> {
    return this.commands.send(updateAccountV2, caller, req, { ...(body ?? {}), id });
  }

  @Delete(':id')
  @Roles('owner', 'admin', 'manager')
  delete(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.commands.send(deleteAccountV1, caller, req, { id });
  }
}
