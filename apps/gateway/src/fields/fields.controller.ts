import { defineFieldV1, deleteFieldV1, DomainError, ErrorCode, listFieldsV1, type FieldView, type Page } from '@custodian/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentCaller, Roles } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { bodyOf } from '../http/openapi.js';
import { boolQuery, intQuery } from '../http/query.js';

@ApiTags('fields')
@ApiBearerAuth()
@Controller('v1/fields')
export class FieldsController {
  constructor(private readonly commands: Commands) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Define a custom field (text, number or date). Names are unique regardless of case, up to 64 characters; a workspace has at most CONTACTS_FIELD_LIMIT fields',
  })
  @ApiBody(bodyOf('DefineFieldV1'))
  define(@CurrentCaller() caller: Caller, @Req() req: Request, @Body() body: object): Promise<FieldView> {
    return this.commands.send(defineFieldV1, caller, req, body ?? {});
  }

  @Get()
  @ApiOperation({
    summary:
      "The workspace's custom field definitions, in the order they were defined. A page may hold fewer than limit items: nextCursor is the only end of data",
  })
  list(@CurrentCaller() caller: Caller, @Req() req: Request, @Query('cursor') cursor?: string, @Query('limit') limit?: string): Promise<Page<FieldView>> {
    return this.commands.send(listFieldsV1, caller, req, { ...(cursor ? { cursor } : {}), ...intQuery('limit', limit) });
  }

  @Delete(':name')
  @ApiOperation({
    summary:
      'Delete a field definition (name matched regardless of case). 409 FIELD_IN_USE while contacts hold values of it, unless removeValues=true (owner or admin), which removes them',
  })
  @Roles('owner', 'admin', 'manager')
  delete(
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Param('name') name: string,
    @Query('removeValues') removeValues?: string,
  ): Promise<{ deleted: true; valuesRemoved: number }> {
    const options = boolQuery('removeValues', removeValues);
    // Removing a field's values from every contact is for the workspace's owners and admins.
    if (options.removeValues && caller.role !== 'owner' && caller.role !== 'admin')
      throw new DomainError(ErrorCode.Forbidden, `role ${caller.role} may not remove a field's values; allowed: owner, admin`);
    return this.commands.send(deleteFieldV1, caller, req, { name, ...options });
  }
}
