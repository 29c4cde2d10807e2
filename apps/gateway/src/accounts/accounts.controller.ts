import { createAccountV1, deleteAccountV1, getAccountV1, listAccountsV1, updateAccountV1, type AccountView, type Page } from '@custodian/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { bodyOf } from '../http/openapi.js';
import { intQuery } from '../http/query.js';

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly commands: Commands) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an account (company), optionally linked to contacts: { name, domain?, contactIds? }' })
  @ApiBody(bodyOf('CreateAccountV1'))
  create(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<AccountView> {
    return this.commands.send(createAccountV1, caller, req, body ?? {});
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query('cursor') cursor?: string, @Query('limit') limit?: string): Promise<Page<AccountView>> {
    return this.commands.send(listAccountsV1, caller, req, { ...(cursor ? { cursor } : {}), ...intQuery('limit', limit) });
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<AccountView> {
    return this.commands.send(getAccountV1, caller, req, { id });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, change domain, link or unlink contacts: { name?, domain?, addContactIds?, removeContactIds? }' })
  @ApiBody(bodyOf('UpdateAccountV1', 'id'))
  update(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string, @Body() body: object): Promise<AccountView> {
    return this.commands.send(updateAccountV1, caller, req, { ...(body ?? {}), id });
  }

  @Delete(':id')
  @Roles('owner', 'admin', 'manager')
  delete(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.commands.send(deleteAccountV1, caller, req, { id });
  }
}
