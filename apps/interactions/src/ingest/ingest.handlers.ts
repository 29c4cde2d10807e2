import { DomainError, ErrorCode, type CommandContext, type IngestInteractionsV1, type IngestReply } from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Controller, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Interactions arriving in batches: all or nothing per batch, each id stored once. */
@Controller()
export class IngestHandlers {
  constructor(private readonly ds: DataSource, @Inject(LOGGER) readonly logger: Logger) {}

  @CommandHandler('interactions.interaction.ingest.v1')
  ingest(data: IngestInteractionsV1, context: CommandContext): Promise<IngestReply> {
    const rows = JSON.stringify(data.interactions.map((i, n) => ({
      n, id: i.id, program_id: i.programId, step_id: i.stepId ?? null, variant_id: i.variantId ?? null,
      control_group: i.controlGroup ?? false, contact_id: i.contactId, type: i.type, at: i.at,
    })));
    return this.ds.transaction(async (em) => {
      await em.query(`create temp table incoming on commit drop as select * from jsonb_to_recordset($1::jsonb) as i(n int, id uuid, program_id uuid,
        step_id text, variant_id text, control_group boolean, contact_id uuid, type text, at timestamptz)`, [rows]);
      const unknown = (await em.query(`select i.n, i.program_id from incoming i
        where not exists (select 1 from program p where p.workspace_id = $1 and p.id = i.program_id) order by i.n limit 100`, [context.workspaceId])) as { n: number; program_id: string }[];
      if (unknown.length) {
        throw new DomainError(ErrorCode.UnknownProgram, 'interactions name campaigns or canvases this workspace does not have; nothing was stored', {
          errors: unknown.map((u) => ({ path: `interactions[${u.n}].programId`, message: `${u.program_id} not found` })),
        });
      }
      // Shared lock on the programs: an expiry that is fixing the rows it will move out waits for this batch to commit.
      await em.query('select id from program where workspace_id = $1 and id in (select distinct program_id from incoming) order by id for key share', [context.workspaceId]);
      const [stored] = (await em.query(`with stored as (
          insert into interaction (workspace_id, id, program_id, step_id, variant_id, control_group, contact_id, type, at)
          select $1, id, program_id, step_id, variant_id, control_group, contact_id, type, at from incoming
          on conflict (workspace_id, id) do nothing returning program_id)
        select count(*)::int as n, coalesce(array_agg(distinct program_id), '{}') as programs from stored`, [context.workspaceId])) as [{ n: number; programs: string[] }];
      // An interaction is activity: it restarts the clock of a stopped program's expiry.
      if (stored.programs.length) {
        // At most once a minute per program, so concurrent batches do not queue on its row.
        await em.query(`update program set last_activity_at = now() where workspace_id = $1 and id = any($2::uuid[])
          and (last_activity_at is null or last_activity_at < now() - interval '1 minute')`, [context.workspaceId, stored.programs]);
      }
      return { received: data.interactions.length, stored: stored.n, duplicates: data.interactions.length - stored.n };
    });
  }
}
