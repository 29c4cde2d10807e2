import {
  DomainError,
  ErrorCode,
  type CommandContext,
  type JobView,
  type StartInteractionRestoreV1,
  startInteractionRestoreV1,
  validationFailed,
} from '@custodian/contracts';
import { JobRunner, JobStore, toJobView } from '@custodian/jobs';
import { CommandHandler } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { DataSource } from 'typeorm';
import { RestoreJob, type InteractionRestoreParams } from './restore-job.js';

/** Starts restores of expired interaction data: one job per request, one restore at a time per workspace. */
@Controller()
export class RestoreHandlers {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobStore,
    private readonly runner: JobRunner,
    private readonly restores: RestoreJob,
  ) {}

  @CommandHandler(startInteractionRestoreV1)
  async start(data: StartInteractionRestoreV1, context: CommandContext): Promise<JobView> {
    if (!data.programIds?.length && !data.tag) {
      throw validationFailed('', 'needs programIds or tag', 'give programIds, a tag, or both');
    }
    const request = { programIds: [...new Set(data.programIds ?? [])].sort(), tag: data.tag?.toLowerCase() ?? null };
    const job = await this.ds.transaction(async (em) => {
      // A retry gets the job its first request queued, whatever became of the programs since.
      const same = data.idempotencyKey ? await this.jobs.byIdempotencyKey(em, this.restores.definition, context.workspaceId, data.idempotencyKey) : null;
      if (same) {
        const asked = same.params.request;
        if (asked && !isDeepStrictEqual(asked, request)) {
          throw new DomainError(ErrorCode.IdempotencyKeyReused, `Idempotency-Key "${data.idempotencyKey}" was used for a different request (job ${same.id})`);
        }
        return toJobView(same);
      }
      const ids = data.programIds ?? [];
      const found = (await em.query(
        `select id, interaction_data from program where workspace_id = $1
          and (id = any($2::uuid[]) or ($3::text is not null and $3 = any(tags))) order by id for update`,
        [context.workspaceId, ids, data.tag?.toLowerCase() ?? null],
      )) as { id: string; interaction_data: string }[];
      const unknown = ids.filter((id) => !found.some((f) => f.id === id));
      if (unknown.length) {
        throw new DomainError(ErrorCode.UnknownProgram, `${unknown.length} campaign(s) or canvas(es) not found`, {
          errors: unknown.map((id) => ({ path: 'programIds', message: `${id} not found` })),
        });
      }
      const expired = found.filter((f) => f.interaction_data === 'expired').map((f) => f.id);
      if (!expired.length) {
        throw new DomainError(ErrorCode.ValidationFailed, 'no named campaign or canvas has expired interaction data', {
          errors: [{ path: data.tag ? 'tag' : 'programIds', message: found.length ? 'their data is live or already being restored' : 'matches nothing' }],
        });
      }
      const params: InteractionRestoreParams = {
        context,
        programIds: expired,
        alreadyLive: found.filter((f) => f.interaction_data === 'live').map((f) => f.id),
        request,
      };
      const { job: queued, existing } = await this.jobs.enqueue(em, this.restores.definition, {
        workspaceId: context.workspaceId,
        requestedBy: context.actor.id,
        correlationId: context.correlationId,
        params,
        idempotencyKey: data.idempotencyKey,
        ignoreForIdempotency: ['context'],
        concurrencyKey: 'interaction-restore',
      });
      // Restoring: the expiry sweep leaves them alone, and a second restore cannot take them.
      if (!existing) await em.query(`update program set interaction_data = 'restoring' where id = any($1::uuid[])`, [expired]);
      return queued;
    });
    this.runner.poke();
    return job;
  }
}
