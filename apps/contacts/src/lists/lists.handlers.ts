import type { CommandContext, CreateListV1, DeleteListV1, GetListV1, ListListsV1, ListMembersV1, SetMembershipV1 } from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Controller, Inject } from '@nestjs/common';
import { ListSnapshots } from '../snapshots/list-snapshot.js';
import { ListsService } from './lists.service.js';

@Controller()
export class ListsHandlers {
  constructor(private readonly lists: ListsService, private readonly snapshots: ListSnapshots, @Inject(LOGGER) readonly logger: Logger) {}

  @CommandHandler('contacts.list.create.v1')
  create(data: CreateListV1, context: CommandContext) {
    return this.lists.create(context, data.name);
  }

  @CommandHandler('contacts.list.get.v1')
  get(data: GetListV1, context: CommandContext) {
    return this.lists.get(context, data.id);
  }

  @CommandHandler('contacts.list.list.v1')
  list(data: ListListsV1, context: CommandContext) {
    return this.lists.list(context, data);
  }

  @CommandHandler('contacts.list.delete.v1')
  delete(data: DeleteListV1, context: CommandContext) {
    // From the back office, the list is backed up first (policy permitting), inside the deletion's transaction.
    return this.lists.delete(context, data.id, async (em, list) => {
      if (!(await this.snapshots.required(em, context, list.id))) return undefined;
      return (await this.snapshots.write(em, { context, listId: list.id, listName: list.name, reason: 'deletion' })).snapshotId;
    });
  }

  @CommandHandler('contacts.list.members.v1')
  members(data: ListMembersV1, context: CommandContext) {
    return this.lists.members(context, data);
  }

  @CommandHandler('contacts.membership.set.v1')
  setMembership(data: SetMembershipV1, context: CommandContext) {
    return this.lists.setMembership(context, data);
  }
}
