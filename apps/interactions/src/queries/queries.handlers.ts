import {
  audienceQueryV1,
  AUDIENCE_EXPIRED_PROGRAMS_MAX,
  contactReceivedV1,
  RECEIVED_PROGRAMS_MAX,
  DomainError,
  ErrorCode,
  type AudiencePage,
  type AudienceQueryV1,
  type CommandContext,
  type ContactReceivedV1,
  type ReceivedProgram,
  validationFailed,
} from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { boundedPage, PAGE_MAX_BYTES, takeWithin } from '@custodian/persistence';
import { Controller } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Reads of interaction data. Expired data is in object storage, not in these tables, so every
 * answer leaves it out by construction; audiences also say which matched programs are expired.
 */
@Controller()
export class QueryHandlers {
  constructor(private readonly ds: DataSource) {}

  @CommandHandler(audienceQueryV1)
  async audience(data: AudienceQueryV1, context: CommandContext): Promise<AudiencePage> {
    if (!data.programId === !data.tag) {
      throw validationFailed(data.programId ? 'tag' : 'programId', 'exactly one of programId and tag', 'give exactly one of programId and tag');
    }
    const programs = (await this.ds.query(
      `select id, interaction_data from program where workspace_id = $1
      and (id = $2::uuid or ($3::text is not null and $3 = any(tags)))`,
      [context.workspaceId, data.programId ?? null, data.tag?.toLowerCase() ?? null],
    )) as { id: string; interaction_data: string }[];
    if (data.programId && !programs.length) throw new DomainError(ErrorCode.NotFound, `campaign or canvas ${data.programId} not found`);
    const limit = data.limit ?? 1000;
    // Only live data: a program whose data expired keeps what arrived since out of queries until it is restored.
    const params: unknown[] = [context.workspaceId, programs.filter((p) => p.interaction_data === 'live').map((p) => p.id), data.interaction];
    const where = ['workspace_id = $1', 'program_id = any($2::uuid[])', 'type = $3'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (data.stepId !== undefined) add('step_id = ?', data.stepId);
    if (data.variantId !== undefined) add('variant_id = ?', data.variantId);
    if (data.controlGroup !== undefined) add('control_group = ?', data.controlGroup);
    if (data.cursor) add('contact_id > ?::uuid', data.cursor);
    params.push(limit + 1);
    const rows = (await this.ds.query(
      `select distinct contact_id from interaction where ${where.join(' and ')} order by contact_id limit $${params.length}`,
      params,
    )) as { contact_id: string }[];
    const page = boundedPage(
      rows,
      limit,
      (r) => r.contact_id,
      (last) => last.contact_id,
    );
    const expired = programs
      .filter((p) => p.interaction_data !== 'live')
      .map((p) => p.id)
      .sort();
    return { contactIds: page.items, nextCursor: page.nextCursor, expiredProgramIds: expired.slice(0, AUDIENCE_EXPIRED_PROGRAMS_MAX) };
  }

  @CommandHandler(contactReceivedV1)
  async received(data: ContactReceivedV1, context: CommandContext): Promise<{ campaigns: ReceivedProgram[]; canvases: ReceivedProgram[] }> {
    // The most recent of each kind only, so the answer stays one small message however long the contact's history.
    const rows = (await this.ds.query(
      `select id, kind, name, messages, last_at from (
        select p.id, p.kind, p.name, count(*)::int as messages, max(i.at) as last_at,
               row_number() over (partition by p.kind order by max(i.at) desc, p.id) as n
        from interaction i join program p on p.id = i.program_id and p.workspace_id = i.workspace_id
        where i.workspace_id = $1 and i.contact_id = $2 and i.type = 'received' and p.interaction_data = 'live'
          and i.program_id = any (array(select id from program where workspace_id = $1 and interaction_data = 'live'))
        group by p.id, p.kind, p.name) r
      where n <= $3 order by last_at desc, id`,
      [context.workspaceId, data.contactId, RECEIVED_PROGRAMS_MAX],
    )) as { id: string; kind: 'campaign' | 'canvas'; name: string; messages: number; last_at: Date }[];
    const view = (r: (typeof rows)[number]): ReceivedProgram => ({
      programId: r.id,
      kind: r.kind,
      name: r.name,
      messages: r.messages,
      lastReceivedAt: r.last_at.toISOString(),
    });
    // Long names could still make 500 of them large: each kind takes at most half a page's bytes.
    const ofKind = (kind: 'campaign' | 'canvas') => takeWithin(rows.filter((r) => r.kind === kind).map(view), PAGE_MAX_BYTES / 2);
    return { campaigns: ofKind('campaign'), canvases: ofKind('canvas') };
  }
}
