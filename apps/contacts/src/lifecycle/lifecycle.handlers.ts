import type { ArchiveContactV1, CommandContext, MergeContactsV1, RestoreContactV1 } from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Controller, Inject } from '@nestjs/common';
import { LifecycleService } from './lifecycle.service.js';

@Controller()
export class LifecycleHandlers {
  constructor(private readonly lifecycle: LifecycleService, @Inject(LOGGER) readonly logger: Logger) {}

  @CommandHandler('contacts.contact.merge.v1')
  merge(data: MergeContactsV1, context: CommandContext) {
    return this.lifecycle.merge(context, data.primaryId, data.duplicateId);
  }

  @CommandHandler('contacts.contact.archive.v1')
  archive(data: ArchiveContactV1, context: CommandContext) {
    return this.lifecycle.archive(context, data.id, data.reason);
  }

  @CommandHandler('contacts.contact.restore.v1')
  restore(data: RestoreContactV1, context: CommandContext) {
    return this.lifecycle.restore({ ...context, origin: 'restore' }, data.snapshot);
  }
}
