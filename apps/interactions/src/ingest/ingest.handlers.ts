import {
  DomainError, ErrorCode, type CommandContext, type ConversationRecordedV1, type EventEnvelope, type IngestInteractionsV1, type IngestReply,
  type InteractionRecordedV1, type MessageRecordedV1,
} from '@custodian/contracts';
import { CommandHandler, OnEventBatch } from '@custodian/messaging';
import { LOGGER, type Logger } from '@custodian/observability';
import { Controller, Inject } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { conversationRow, messageRow, storeConversations, storeMessages } from './messages.js';

interface IncomingRow {
  n: number; workspace_id: string; id: string; program_id: string; step_id: string | null; variant_id: string | null;
  control_group: boolean; contact_id: string; type: string; at: string;
}

/**
 * Interactions, conversations and messages arriving in batches, over the API or as JetStream events.
 * An interaction id is stored once per program; conversations and messages keep their latest version.
 */
@Controller()
export class IngestHandlers {
  constructor(private readonly ds: DataSource, @Inject(LOGGER) readonly logger: Logger) {}

  /** All or nothing: a batch naming a program the workspace does not have stores nothing. */
  @CommandHandler('interactions.interaction.ingest.v1')
  ingest(data: IngestInteractionsV1, context: CommandContext): Promise<IngestReply> {
    const interactions = data.interactions ?? [];
    const conversations = data.conversations ?? [];
    const messages = data.messages ?? [];
    const items = interactions.length + conversations.length + messages.length;
    if (items === 0 || items > 2000) {
      throw new DomainError(ErrorCode.ValidationFailed, `a batch holds 1 to 2000 interactions, conversations and messages in all, not ${items}`, {
        errors: [{ path: '', message: `${items} items` }],
      });
    }
    const rows = interactions.map((i, n) => rowOf(n, context.workspaceId, i.id, i));
    return this.ds.transaction(async (em) => {
      let stored = 0;
      if (rows.length) {
        const unknown = await stage(em, rows);
        if (unknown.length) {
          throw new DomainError(ErrorCode.UnknownProgram, 'interactions name campaigns or canvases this workspace does not have; nothing was stored', {
            errors: unknown.slice(0, 100).map((u) => ({ path: `interactions[${u.n}].programId`, message: `${u.program_id} not found` })),
          });
        }
        stored = await store(em);
      }
      const conversationsStored = await storeConversations(em, conversations.map((c) => conversationRow(context.workspaceId, c)));
      const messagesStored = await storeMessages(em, messages.map((m) => messageRow(context.workspaceId, m)));
      return {
        received: rows.length, stored, duplicates: rows.length - stored,
        conversations: { received: conversations.length, stored: conversationsStored }, messages: { received: messages.length, stored: messagesStored },
      };
    });
  }

  @OnEventBatch('events.messaging.message.recorded.v1', { maxBatch: 1000 })
  async messageRecorded(events: EventEnvelope<MessageRecordedV1>[], em: EntityManager): Promise<{ rejected: never[] }> {
    await storeMessages(em, events.map((e) => messageRow(e.workspaceId, e.data)));
    return { rejected: [] };
  }

  @OnEventBatch('events.messaging.conversation.recorded.v1', { maxBatch: 1000 })
  async conversationRecorded(events: EventEnvelope<ConversationRecordedV1>[], em: EntityManager): Promise<{ rejected: never[] }> {
    await storeConversations(em, events.map((e) => conversationRow(e.workspaceId, e.data)));
    return { rejected: [] };
  }

  /** Events of many workspaces at once; those naming an unknown program are rejected one by one. */
  @OnEventBatch('events.messaging.interaction.recorded.v1', { maxBatch: 1000 })
  async recorded(events: EventEnvelope<InteractionRecordedV1>[], em: EntityManager): Promise<{ rejected: { id: string; reason: string }[] }> {
    const rows = events.map((e, n) => rowOf(n, e.workspaceId, e.id, e.data));
    const unknown = await stage(em, rows);
    if (unknown.length) await em.query('delete from incoming where n = any($1::int[])', [unknown.map((u) => u.n)]);
    await store(em);
    return { rejected: unknown.map((u) => ({ id: events[u.n]!.id, reason: `campaign or canvas ${u.program_id} not found in workspace ${events[u.n]!.workspaceId}` })) };
  }
}

function rowOf(n: number, workspaceId: string, id: string, i: InteractionRecordedV1): IncomingRow {
  return {
    n, workspace_id: workspaceId, id, program_id: i.programId, step_id: i.stepId ?? null, variant_id: i.variantId ?? null,
    control_group: i.controlGroup ?? false, contact_id: i.contactId, type: i.type, at: i.at,
  };
}

/** Stages rows in `incoming` (this transaction only) and answers those naming a program their workspace does not have. */
async function stage(em: EntityManager, rows: IncomingRow[]): Promise<{ n: number; program_id: string }[]> {
  await em.query(`create temp table incoming on commit drop as select * from jsonb_to_recordset($1::jsonb) as i(n int, workspace_id text, id uuid,
    program_id uuid, step_id text, variant_id text, control_group boolean, contact_id uuid, type text, at timestamptz)`, [JSON.stringify(rows)]);
  return (await em.query(`select i.n, i.program_id from incoming i
    where not exists (select 1 from program p where p.workspace_id = i.workspace_id and p.id = i.program_id) order by i.n`)) as { n: number; program_id: string }[];
}

/** Inserts what is staged, each id once per workspace; an interaction is activity for its program. */
async function store(em: EntityManager): Promise<number> {
  // Key-share lock on the programs: an expiry that is fixing the rows it will move out waits for this batch to commit.
  await em.query(`select p.id from program p where (p.workspace_id, p.id) in (select distinct workspace_id, program_id from incoming) order by p.id for key share`);
  const [stored] = (await em.query(`with stored as (
      insert into interaction (workspace_id, id, program_id, step_id, variant_id, control_group, contact_id, type, at)
      select workspace_id, id, program_id, step_id, variant_id, control_group, contact_id, type, at from incoming
      on conflict (program_id, id) do nothing returning program_id)
    select count(*)::int as n, coalesce(array_agg(distinct program_id), '{}') as programs from stored`)) as [{ n: number; programs: string[] }];
  if (stored.programs.length) {
    // At most once a minute per program, so concurrent batches do not queue on its row; always after an expiry,
    // so interactions that arrive for expired data make it due again.
    await em.query(`update program set last_activity_at = now() where id = any($1::uuid[])
      and (last_activity_at is null or last_activity_at < now() - interval '1 minute' or last_activity_at <= expired_at)`, [stored.programs]);
  }
  return stored.n;
}
