import type { CommandContext, CreateContactV1, DeleteContactV1, GetContactV1, ListContactsV1, TagContactV1, UpdateContactV1, WorkspaceStatsV1 } from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Controller, Inject } from '@nestjs/common';
import { ContactsService } from './contacts.service.js';

@Controller()
export class ContactsHandlers {
  constructor(private readonly contacts: ContactsService, @Inject(LOGGER) readonly logger: Logger) {}

  @CommandHandler('contacts.contact.create.v1')
  create(data: CreateContactV1, context: CommandContext) {
    return this.contacts.create(context, data);
  }

  @CommandHandler('contacts.contact.get.v1')
  get(data: GetContactV1, context: CommandContext) {
    return this.contacts.get(context, data.id);
  }

  @CommandHandler('contacts.contact.list.v1')
  list(data: ListContactsV1, context: CommandContext) {
    return this.contacts.list(context, data);
  }

  @CommandHandler('contacts.contact.update.v1')
  update(data: UpdateContactV1, context: CommandContext) {
    return this.contacts.update(context, data);
  }

  @CommandHandler('contacts.contact.delete.v1')
  delete(data: DeleteContactV1, context: CommandContext) {
    return this.contacts.delete(context, data.id);
  }

  @CommandHandler('contacts.contact.tag.v1')
  tag(data: TagContactV1, context: CommandContext) {
    return this.contacts.tag(context, data);
  }

  @CommandHandler('contacts.workspace.stats.v1')
  stats(data: WorkspaceStatsV1, context: CommandContext) {
    return this.contacts.stats(context, data);
  }
}
