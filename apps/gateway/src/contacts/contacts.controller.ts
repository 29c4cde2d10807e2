import {
  archiveContactsV1,
  archiveContactV1,
  createContactV1,
  deleteContactV1,
  getContactV1,
  listContactsV1,
  mergeContactsV1,
  tagContactV1,
  updateContactV1,
  type ContactView,
  type JobView,
  type Page,
} from '@custodian/contracts';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { PAGE_PARAMS, QueryParams } from '../http/query-params.js';
import { bodyOf, PAGE_DESCRIPTION } from '../http/openapi.js';
import { intQuery } from '../http/query.js';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/contacts')
export class ContactsController {
  constructor(private readonly commands: Commands) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a contact (email unique per workspace, case-insensitive)' })
  @ApiBody(bodyOf('CreateContactV1'))
  create(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<ContactView> {
    return this.commands.send(createContactV1, caller, req, body ?? {});
  }

  @Get()
  @ApiOperation({ summary: 'List contacts; filter by email, listId, tag or accountId; cursor pagination', description: PAGE_DESCRIPTION })
  @QueryParams('email', 'listId', 'tag', 'accountId', ...PAGE_PARAMS)
  list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query() query: Record<string, string>): Promise<Page<ContactView>> {
    const { limit, ...rest } = query;
    return this.commands.send(listContactsV1, caller, req, { ...rest, ...intQuery('limit', limit) });
  }

  @Post('merge')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Merge two contacts: { primaryId, duplicateId }. The duplicate is folded into the primary and is gone for good (it can never be restored)',
  })
  @ApiBody(bodyOf('MergeContactsV1'))
  @Roles('owner', 'admin', 'manager')
  merge(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<ContactView> {
    return this.commands.send(mergeContactsV1, caller, req, body ?? {});
  }

  @Post('archive')
  @HttpCode(202)
  @Roles('owner', 'admin', 'manager')
  @ApiOperation({
    summary:
      'Archive every contact matching { listId?, tag?, emails?, reason? } (all criteria must hold), as a job; one at a time per workspace. Idempotency-Key is honoured',
  })
  @ApiBody(bodyOf('ArchiveContactsV1'))
  async archiveMany(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Body() body: object,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<JobView> {
    const job = await this.commands.send(archiveContactsV1, caller, req, { ...(body ?? {}), ...(idempotencyKey ? { idempotencyKey } : {}) });
    res.setHeader('Location', `/v1/jobs/${job.id}`);
    return job;
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive a contact: it leaves the live data (and the active-contact count); its complete snapshot goes to the archive' })
  @ApiBody(bodyOf('ArchiveContactV1', 'id'))
  @Roles('owner', 'admin', 'manager')
  archive(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string, @Body() body: object) {
    return this.commands.send(archiveContactV1, caller, req, { ...(body ?? {}), id });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One contact with its list statuses and tags' })
  get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<ContactView> {
    return this.commands.send(getContactV1, caller, req, { id });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a contact; only the given properties change, `fields` entries are merged ("" removes one)' })
  @ApiBody(bodyOf('UpdateContactV1', 'id'))
  update(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string, @Body() body: object): Promise<ContactView> {
    return this.commands.send(updateContactV1, caller, req, { ...(body ?? {}), id });
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a contact for good (to keep a restorable copy, archive it instead)' })
  @Roles('owner', 'admin', 'manager')
  delete(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.commands.send(deleteContactV1, caller, req, { id });
  }

  @Post(':id/tags')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add and remove tags of a contact by name: { add: [...], remove: [...] }' })
  @ApiBody(bodyOf('TagContactV1', 'id'))
  tag(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string, @Body() body: object): Promise<ContactView> {
    return this.commands.send(tagContactV1, caller, req, { ...(body ?? {}), id });
  }
}
