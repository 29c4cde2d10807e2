import {
  createContactV1,
  deleteContactV1,
  getContactV1,
  listContactsV1,
  tagContactV1,
  updateContactV1,
  workspaceStatsV1,
  type CommandContext,
  type CreateContactV1,
  type DeleteContactV1,
  type GetContactV1,
  type ListContactsV1,
  type TagContactV1,
  type UpdateContactV1,
  type WorkspaceStatsV1,
} from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { ContactsService } from './contacts.service.js';

@Controller()
export class ContactsHandlers {
  constructor(private readonly contacts: ContactsService) {}

  @CommandHandler(createContactV1)
  create(data: CreateContactV1, context: CommandContext) {
    return this.contacts.create(context, data);
  }

  @CommandHandler(getContactV1)
  get(data: GetContactV1, context: CommandContext) {
    return this.contacts.get(context, data.id);
  }

  @CommandHandler(listContactsV1)
  list(data: ListContactsV1, context: CommandContext) {
    return this.contacts.list(context, data);
  }

  @CommandHandler(updateContactV1)
  update(data: UpdateContactV1, context: CommandContext) {
    return this.contacts.update(context, data);
  }

  @CommandHandler(deleteContactV1)
  delete(data: DeleteContactV1, context: CommandContext) {
    return this.contacts.delete(context, data.id);
  }

  @CommandHandler(tagContactV1)
  tag(data: TagContactV1, context: CommandContext) {
    return this.contacts.tag(context, data);
  }

  @CommandHandler(workspaceStatsV1)
  stats(data: WorkspaceStatsV1, context: CommandContext) {
    return this.contacts.stats(context, data);
  }
}
