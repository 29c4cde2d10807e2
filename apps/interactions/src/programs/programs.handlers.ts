import {
  createProgramV1,
  DomainError,
  ErrorCode,
  expiringProgramsV1,
  getProgramV1,
  listProgramsV1,
  programChangedV1,
  transitionProgramV1,
  updateProgramV1,
  type CommandContext,
  type CreateProgramV1,
  type ExpiringProgramsV1,
  type GetProgramV1,
  type ListProgramsV1,
  type Page,
  type ProgramKind,
  type ProgramView,
  type TransitionProgramV1,
  type UpdateProgramV1,
  validationFailed,
} from '@custodian/contracts';
import { CommandHandler, recordEvent } from '@custodian/messaging';
import { boundedPage, keysetPageSql, encodeCursor } from '@custodian/persistence';
import { Controller, Inject } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InteractionsEnv } from '../config.js';
import { addPartition } from './partitions.js';
import { PROGRAM_SQL, toProgramView, type ProgramRow } from './program-view.js';

/** What each action needs the program to be, and what it makes it. */
const TRANSITIONS = {
  start: { from: 'draft', to: 'active', change: 'started' },
  stop: { from: 'active', to: 'stopped', change: 'stopped' },
  resume: { from: 'stopped', to: 'active', change: 'resumed' },
} as const;

/** Campaigns and canvases: created, tagged, started, stopped and resumed here. */
@Controller()
export class ProgramHandlers {
  constructor(
    private readonly ds: DataSource,
    @Inject(InteractionsEnv) private readonly env: InteractionsEnv,
  ) {}

  private get expireAfterSecs() {
    return this.env.INTERACTIONS_EXPIRE_AFTER / 1000;
  }

  @CommandHandler(createProgramV1)
  create(data: CreateProgramV1, context: CommandContext): Promise<ProgramView> {
    return this.ds.transaction(async (em) => {
      await this.checkRetargeting(em, context.workspaceId, data.retargeting?.programIds ?? []);
      const [{ id }] = (await em.query(
        `insert into program (workspace_id, kind, name, tags, steps, variants, retarget_program_ids, retarget_tags)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
        [
          context.workspaceId,
          data.kind,
          data.name,
          normalTags(data.tags),
          JSON.stringify(data.steps ?? []),
          JSON.stringify(data.variants ?? []),
          data.retargeting?.programIds ?? [],
          normalTags(data.retargeting?.tags),
        ],
      )) as [{ id: string }];
      await addPartition(em, context.workspaceId, id);
      return this.changed(em, context, data.kind, id, 'created');
    });
  }

  @CommandHandler(getProgramV1)
  async get(data: GetProgramV1, context: CommandContext): Promise<ProgramView> {
    return this.find(this.ds.manager, context.workspaceId, data.kind, data.id);
  }

  @CommandHandler(listProgramsV1)
  async list(data: ListProgramsV1, context: CommandContext): Promise<Page<ProgramView>> {
    const limit = data.limit ?? 50;
    const params: unknown[] = [context.workspaceId, this.expireAfterSecs, data.kind];
    const where = ['p.workspace_id = $1', 'p.kind = $3'];
    if (data.tag) {
      params.push(data.tag.toLowerCase());
      where.push(`$${params.length} = any(p.tags)`);
    }
    if (data.status) {
      params.push(data.status);
      where.push(`p.status = $${params.length}`);
    }
    const query = keysetPageSql(PROGRAM_SQL, where, params, ['p.created_at', 'p.id'], { cursor: data.cursor, limit });
    const rows = (await this.ds.query(query.sql, query.params)) as ProgramRow[];
    return boundedPage(rows, limit, toProgramView, (last) => encodeCursor(last.created_cursor, last.id));
  }

  @CommandHandler(expiringProgramsV1)
  async expiring(data: ExpiringProgramsV1, context: CommandContext): Promise<Page<ProgramView>> {
    const limit = 1000;
    const query = keysetPageSql(
      `select * from (${PROGRAM_SQL} where p.workspace_id = $1) x`,
      ['x.expires_at is not null', 'x.expires_at <= now() + make_interval(days => $3)'],
      [context.workspaceId, this.expireAfterSecs, data.withinDays ?? 30],
      ['x.expires_at', 'x.id'],
      { cursor: data.cursor, limit },
    );
    const rows = (await this.ds.query(query.sql, query.params)) as ProgramRow[];
    return boundedPage(rows, limit, toProgramView, (last) => encodeCursor(last.expires_cursor!, last.id));
  }

  @CommandHandler(updateProgramV1)
  update(data: UpdateProgramV1, context: CommandContext): Promise<ProgramView> {
    return this.ds.transaction(async (em) => {
      await this.lock(em, context.workspaceId, data.kind, data.id);
      if (data.retargeting?.programIds?.includes(data.id)) {
        throw validationFailed('retargeting.programIds', 'names this program', 'a program cannot retarget itself');
      }
      await this.checkRetargeting(em, context.workspaceId, data.retargeting?.programIds ?? []);
      if (data.retargeting) await this.endRetargeting(em, context.workspaceId, data.id);
      await em.query(
        `update program set name = coalesce($3, name), tags = coalesce($4, tags), steps = coalesce($5, steps), variants = coalesce($6, variants),
           retarget_program_ids = coalesce($7, retarget_program_ids), retarget_tags = coalesce($8, retarget_tags)
         where workspace_id = $1 and id = $2`,
        [
          context.workspaceId,
          data.id,
          data.name ?? null,
          data.tags ? normalTags(data.tags) : null,
          data.steps ? JSON.stringify(data.steps) : null,
          data.variants ? JSON.stringify(data.variants) : null,
          data.retargeting ? (data.retargeting.programIds ?? []) : null,
          data.retargeting ? normalTags(data.retargeting.tags) : null,
        ],
      );
      return this.changed(em, context, data.kind, data.id, 'updated');
    });
  }

  @CommandHandler(transitionProgramV1)
  transition(data: TransitionProgramV1, context: CommandContext): Promise<ProgramView> {
    return this.ds.transaction(async (em) => {
      const current = await this.lock(em, context.workspaceId, data.kind, data.id);
      const t = TRANSITIONS[data.action];
      if (current.status !== t.from) {
        throw new DomainError(ErrorCode.ProgramStateInvalid, `cannot ${data.action} a ${current.status} ${data.kind}; only a ${t.from} one`);
      }
      if (data.action === 'resume' && current.interaction_data !== 'live') {
        throw new DomainError(
          ErrorCode.InteractionDataExpired,
          `the interaction data of ${data.kind} ${data.id} is ${current.interaction_data}: restore it (POST /v1/interactions/restores) before resuming`,
        );
      }
      if (data.action === 'stop') await this.endRetargeting(em, context.workspaceId, data.id);
      await em.query(
        `update program set status = $3, started_at = case when $3 = 'active' and started_at is null then now() else started_at end,
           stopped_at = case when $3 = 'stopped' then now() else null end, last_activity_at = now()
         where workspace_id = $1 and id = $2`,
        [context.workspaceId, data.id, t.to],
      );
      return this.changed(em, context, data.kind, data.id, t.change);
    });
  }

  private async lock(em: EntityManager, workspaceId: string, kind: ProgramKind, id: string): Promise<{ status: string; interaction_data: string }> {
    const [row] = (await em.query('select status, interaction_data from program where workspace_id = $1 and kind = $2 and id = $3 for update', [
      workspaceId,
      kind,
      id,
    ])) as { status: string; interaction_data: string }[];
    if (!row) throw new DomainError(ErrorCode.NotFound, `${kind} ${id} not found`);
    return row;
  }

  /**
   * Use in an active program's retargeting filter is activity: when that use ends (the program
   * stops or its filter changes), the named programs' expiry clock starts again from now.
   */
  private async endRetargeting(em: EntityManager, workspaceId: string, id: string): Promise<void> {
    await em.query(
      `update program set last_activity_at = now() where workspace_id = $1
      and id = any((select retarget_program_ids from program where workspace_id = $1 and id = $2 and status = 'active')::uuid[])`,
      [workspaceId, id],
    );
  }

  /** A retargeting filter names programs of this workspace only. */
  private async checkRetargeting(em: EntityManager, workspaceId: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const found = new Set(
      ((await em.query('select id from program where workspace_id = $1 and id = any($2::uuid[])', [workspaceId, ids])) as { id: string }[]).map((r) => r.id),
    );
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length) {
      throw new DomainError(ErrorCode.ValidationFailed, `retargeting names ${unknown.length} unknown campaign(s) or canvas(es)`, {
        errors: unknown.map((id) => ({ path: 'retargeting.programIds', message: `${id} not found` })),
      });
    }
  }

  private async find(em: EntityManager, workspaceId: string, kind: ProgramKind, id: string): Promise<ProgramView> {
    const [row] = (await em.query(`${PROGRAM_SQL} where p.workspace_id = $1 and p.kind = $3 and p.id = $4`, [
      workspaceId,
      this.expireAfterSecs,
      kind,
      id,
    ])) as ProgramRow[];
    if (!row) throw new DomainError(ErrorCode.NotFound, `${kind} ${id} not found`);
    return toProgramView(row);
  }

  private async changed(
    em: EntityManager,
    context: CommandContext,
    kind: ProgramKind,
    id: string,
    change: 'created' | 'updated' | 'started' | 'stopped' | 'resumed',
  ): Promise<ProgramView> {
    const program = await this.find(em, context.workspaceId, kind, id);
    await recordEvent(em, programChangedV1, context, { change, programId: id, program });
    return program;
  }
}

function normalTags(tags: string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];
}
