import { DomainError, ErrorCode, type CommandContext, type GetJobV1 } from '@custodian/contracts';
import { JobStore } from '@custodian/jobs';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Controller, Inject } from '@nestjs/common';

@Controller()
export class JobsHandlers {
  constructor(private readonly jobs: JobStore, @Inject(LOGGER) readonly logger: Logger) {}

  @CommandHandler('contacts.job.get.v1')
  async get(data: GetJobV1, context: CommandContext) {
    const job = await this.jobs.get(context.workspaceId, data.id);
    if (!job) throw new DomainError(ErrorCode.NotFound, `job ${data.id} not found`);
    return job;
  }
}
