import { DomainError, ErrorCode, type CommandContext, type GetJobV1 } from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Controller, Inject } from '@nestjs/common';

@Controller()
export class JobsHandlers {
  constructor(@Inject(LOGGER) readonly logger: Logger) {}

  @CommandHandler('contacts.job.get.v1')
  async get(data: GetJobV1, _context: CommandContext) {
    throw new DomainError(ErrorCode.NotFound, `job ${data.id} not found`);
  }
}
