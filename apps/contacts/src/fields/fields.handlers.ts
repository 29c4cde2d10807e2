import {
  defineFieldV1,
  deleteFieldV1,
  listFieldsV1,
  type CommandContext,
  type DefineFieldV1,
  type DeleteFieldV1,
  type ListFieldsV1,
} from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FieldDefinitions } from './field-definitions.js';

@Controller()
export class FieldsHandlers {
  constructor(
    private readonly ds: DataSource,
    private readonly fields: FieldDefinitions,
  ) {}

  @CommandHandler(defineFieldV1)
  define(data: DefineFieldV1, context: CommandContext) {
    return this.ds.transaction((em) => this.fields.define(em, context.workspaceId, data.name, data.type ?? 'text'));
  }

  @CommandHandler(listFieldsV1)
  list(data: ListFieldsV1, context: CommandContext) {
    return this.fields.list(this.ds.manager, context.workspaceId, data);
  }

  @CommandHandler(deleteFieldV1)
  delete(data: DeleteFieldV1, context: CommandContext) {
    return this.ds.transaction((em) => this.fields.delete(em, context, data.name, data.removeValues ?? false));
  }
}
