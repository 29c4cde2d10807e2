import type { InteractionDataState, ProgramKind, ProgramPart, ProgramStatus, ProgramView } from '@custodian/contracts';
import { cursorTimeSql } from '@custodian/persistence';

export interface ProgramRow {
  id: string;
  kind: ProgramKind;
  name: string;
  tags: string[];
  status: ProgramStatus;
  steps: ProgramPart[];
  variants: ProgramPart[];
  retarget_program_ids: string[];
  retarget_tags: string[];
  created_at: Date;
  started_at: Date | null;
  stopped_at: Date | null;
  last_activity_at: Date | null;
  interaction_data: 'live' | 'expired' | 'restoring';
  expired_at: Date | null;
  /** Named by id in the retargeting filter of an active program of the workspace: its data never expires then. */
  retargeted: boolean;
  expires_at: Date | null;
  /** created_at and expires_at at full (microsecond) precision, for cursors. */
  created_cursor: string;
  expires_cursor: string | null;
}

/**
 * A program with what its interaction data needs: $1 the workspace, $2 the expiry delay in
 * seconds. Stopped and not retargeted by an active program, live data expires that long after the
 * last activity (the stop, a send or interaction, or a restore).
 */
export const PROGRAM_SQL = `select p.*, r.retargeted, e.expires_at, ${cursorTimeSql('p.created_at')} as created_cursor, ${cursorTimeSql('e.expires_at')} as expires_cursor
  from program p
  cross join lateral (select ${retargetedSql('p')} as retargeted) r
  cross join lateral (select case when p.status = 'stopped' and p.interaction_data = 'live' and not r.retargeted
      then greatest(p.stopped_at, p.last_activity_at) + make_interval(secs => $2) end as expires_at) e`;

/** SQL: the program `alias` is named by id in the retargeting filter of an active program of its workspace. */
export function retargetedSql(alias: string): string {
  return `exists (select 1 from program o where o.workspace_id = ${alias}.workspace_id and o.status = 'active' and ${alias}.id = any(o.retarget_program_ids))`;
}

/**
 * SQL: the interaction data of the program `alias` is due to expire; `secs` is the delay in
 * seconds. Live data, or interactions that arrived after the data expired (they expire in turn).
 */
export function dueToExpireSql(alias: string, secs: string): string {
  return `${alias}.status = 'stopped' and not ${retargetedSql(alias)}
    and (${alias}.interaction_data = 'live' or (${alias}.interaction_data = 'expired' and ${alias}.last_activity_at > ${alias}.expired_at))
    and greatest(${alias}.stopped_at, ${alias}.last_activity_at) + make_interval(secs => ${secs}) <= now()`;
}

export function toProgramView(r: ProgramRow): ProgramView {
  const state: InteractionDataState = r.interaction_data !== 'live' ? r.interaction_data : r.expires_at ? 'expiring' : 'live';
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    tags: r.tags,
    status: r.status,
    steps: r.steps,
    variants: r.variants,
    retargeting: { programIds: r.retarget_program_ids, tags: r.retarget_tags },
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    stoppedAt: r.stopped_at?.toISOString() ?? null,
    lastActivityAt: r.last_activity_at?.toISOString() ?? null,
    interactionData: { state, expiresAt: r.expires_at?.toISOString() ?? null, expiredAt: r.expired_at?.toISOString() ?? null },
  };
}
