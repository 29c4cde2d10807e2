import {
  createListV1,
  deleteListV1,
  getListV1,
  listListsV1,
  listMembersV1,
  setMembershipV1,
  type CommandContext,
  type CreateListV1,
  type DeleteListV1,
  type GetListV1,
  type ListListsV1,
  type ListMembersV1,
  type SetMembershipV1,
} from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { ListSnapshots } from '../snapshots/list-snapshot.js';
import { ListsService } from './lists.service.js';

@Controller()
export class ListsHandlers {
  constructor(
    private readonly lists: ListsService,
    private readonly snapshots: ListSnapshots,
  ) {}

  @CommandHandler(createListV1)
  create(data: CreateListV1, context: CommandContext) {
    return this.lists.create(context, data.name);
  }

  @CommandHandler(getListV1)
  get(data: GetListV1, context: CommandContext) {
    return this.lists.get(context, data.id);
  }

  @CommandHandler(listListsV1)
  list(data: ListListsV1, context: CommandContext) {
    return this.lists.list(context, data);
  }

  @CommandHandler(deleteListV1)
  delete(data: DeleteListV1, context: CommandContext) {
    // From the back office, the list is backed up first (policy permitting), inside the deletion's transaction.
    return this.lists.delete(context, data.id, async (em, list) => {
      if (!(await this.snapshots.required(em, context, list.id))) return undefined;
      return (await this.snapshots.write(em, { context, listId: list.id, listName: list.name, reason: 'deletion' })).snapshotId;
    });
  }

  @CommandHandler(listMembersV1)
  members(data: ListMembersV1, context: CommandContext) {
    return this.lists.members(context, data);
  }

  @CommandHandler(setMembershipV1)
  setMembership(data: SetMembershipV1, context: CommandContext) {
    return this.lists.setMembership(context, data);
  }
}
