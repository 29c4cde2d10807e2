import { DomainError, ErrorCode, JOB_GET_V1, type JobView, type Plan, type Role } from '@custodian/contracts';
import { Controller, Get, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentCaller } from '../auth/auth.guard.js';
import type { Caller } from '../auth/token.js';
import { Commands } from '../http/commands.js';
import { CommandClient } from '@custodian/messaging';

/**
 * The rules of the routes that show each kind of job, applied here too: an export (and the data
 * owners' dataset jobs behind it) is for enterprise workspaces and owners, admins and managers.
 * Kinds not named are open to every role, as their own routes are.
 */
const JOB_RULES: Partial<Record<string, { plans: Plan[]; roles: Role[] }>> = {
  export: { plans: ['enterprise'], roles: ['owner', 'admin', 'manager'] },
  'dataset-export': { plans: ['enterprise'], roles: ['owner', 'admin', 'manager'] },
};

/** The apps that run jobs; each answers `<app>.job.get.v1` for its own. */
export const JOB_OWNERS = ['contacts', 'backups', 'archive', 'interactions', 'exports'] as const;

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/jobs')
export class JobsController {
  constructor(private readonly commands: Commands) {}

  @Get(':id')
  @ApiOperation({ summary: 'Any job of the workspace: status, progress, result, error' })
  async get(@CurrentCaller() caller: Caller, @Req() req: Request, @Param('id') id: string): Promise<JobView> {
    const answers = await Promise.allSettled(JOB_OWNERS.map((app) => this.commands.send(JOB_GET_V1[app], caller, req, { id })));
    const found = answers.find((a): a is PromiseFulfilledResult<JobView> => a.status === 'fulfilled');
    if (found) {
      const rules = JOB_RULES[found.value.kind];
      if (rules && !rules.plans.includes(caller.plan)) {
        throw new DomainError(ErrorCode.PlanRequired, `${found.value.kind} jobs need the ${rules.plans.join(' or ')} plan; the workspace is on ${caller.plan}`);
      }
      if (rules && !rules.roles.includes(caller.role)) {
        throw new DomainError(ErrorCode.Forbidden, `role ${caller.role} may not see ${found.value.kind} jobs; allowed: ${rules.roles.join(', ')}`);
      }
      return found.value;
    }
    const errors = answers.map((a) => (a as PromiseRejectedResult).reason);
    // An app with no responder at all is not deployed here: it holds no job. A timeout is an outage.
    const unexpected = errors.find((e) => !(e instanceof DomainError && e.code === ErrorCode.NotFound) && !CommandClient.noResponder(e));
    if (unexpected) throw unexpected;
    throw new DomainError(ErrorCode.NotFound, `job ${id} not found`);
  }
}
