import { createTagV1, deleteTagV1, listTagsV1, type CommandContext, type CreateTagV1, type DeleteTagV1, type ListTagsV1 } from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { TagsService } from './tags.service.js';

@Controller()
export class TagsHandlers {
  constructor(private readonly tags: TagsService) {}

  @CommandHandler(createTagV1)
  create(data: CreateTagV1, context: CommandContext) {
    return this.tags.create(context, data.name);
  }

  @CommandHandler(listTagsV1)
  list(data: ListTagsV1, context: CommandContext) {
    return this.tags.list(context, data);
  }

  @CommandHandler(deleteTagV1)
  delete(data: DeleteTagV1, context: CommandContext) {
    return this.tags.delete(context, data.id);
  }
}
