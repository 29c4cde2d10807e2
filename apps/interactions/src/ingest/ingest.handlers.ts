import {
  conversationRecordedV1,
  DomainError,
  ErrorCode,
  ingestInteractionsV1,
  interactionRecordedV1,
  messageRecordedV1,
  type CommandContext,
  type ConversationRecordedV1,
  type EventEnvelope,
  type IngestInteractionsV1,
  type IngestReply,
  type InteractionRecordedV1,
  type MessageRecordedV1,
} from '@custodian/contracts';
import { CommandHandler, OnEventBatch } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { conversationRow, messageRow, storeConversations, storeMessages } from './messages.js';

interface IncomingRow {
  n: number;
  workspace_id: string;
  id: string;
  program_id: string;
  step_id: string | null;
  variant_id: string | null;
  control_group: boolean;
  contact_id: string;
  type: string;
  at: string;
}

/**
 * Interactions, conversations and messages arriving in batches, over the API or as JetStream events.
 * An interaction id is stored once per program; conversations and messages keep their latest version.
 */
@Controller()
export class IngestHandlers {
  constructor(private readonly ds: DataSource) {}

  /** All or nothing: a batch naming a program the workspace does not have stores nothing. */
  @CommandHandler(ingestInteractionsV1)
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
        const known = await lockPrograms(em, rows);
        const unknown = rows.filter((r) => !known.has(programKey(r)));
        if (unknown.length) {
          throw new DomainError(ErrorCode.UnknownProgram, 'interactions name campaigns or canvases this workspace does not have; nothing was stored', {
            errors: unknown.slice(0, 100).map((u) => ({ path: `interactions[${u.n}].programId`, message: `${u.program_id} not found` })),
          });
        }
        stored = await store(em, rows);
      }
      const conversationsStored = await storeConversations(
        em,
        conversations.map((c) => conversationRow(context.workspaceId, c)),
      );
      const messagesStored = await storeMessages(
        em,
        messages.map((m) => messageRow(context.workspaceId, m)),
      );
      return {
        received: rows.length,
        stored,
        duplicates: rows.length - stored,
        conversations: { received: conversations.length, stored: conversationsStored },
        messages: { received: messages.length, stored: messagesStored },
      };
    });
  }

  @OnEventBatch(messageRecordedV1, { maxBatch: 1000 })
  async messageRecorded(events: EventEnvelope<MessageRecordedV1>[], em: EntityManager): Promise<{ rejected: never[] }> {
    await storeMessages(
      em,
      events.map((e) => messageRow(e.workspaceId, e.data)),
    );
    return { rejected: [] };
  }

  @OnEventBatch(conversationRecordedV1, { maxBatch: 1000 })
  async conversationRecorded(events: EventEnvelope<ConversationRecordedV1>[], em: EntityManager): Promise<{ rejected: never[] }> {
    await storeConversations(
      em,
      events.map((e) => conversationRow(e.workspaceId, e.data)),
    );
    return { rejected: [] };
  }

  /** Events of many workspaces at once; those naming an unknown program are rejected one by one. */
  @OnEventBatch(interactionRecordedV1, { maxBatch: 1000 })
  async recorded(events: EventEnvelope<InteractionRecordedV1>[], em: EntityManager): Promise<{ rejected: { id: string; reason: string }[] }> {
    const rows = events.map((e, n) => rowOf(n, e.workspaceId, e.id, e.data));
    const known = await lockPrograms(em, rows);
    await store(
      em,
      rows.filter((r) => known.has(programKey(r))),
    );
    const unknown = rows.filter((r) => !known.has(programKey(r)));
    return { rejected: unknown.map((u) => ({ id: events[u.n]!.id, reason: `campaign or canvas ${u.program_id} not found in workspace ${u.workspace_id}` })) };
  }
}

function rowOf(n: number, workspaceId: string, id: string, i: InteractionRecordedV1): IncomingRow {
  return {
    n,
    workspace_id: workspaceId,
    id,
    program_id: i.programId,
    step_id: i.stepId ?? null,
    variant_id: i.variantId ?? null,
    control_group: i.controlGroup ?? false,
    contact_id: i.contactId,
    type: i.type,
    at: i.at,
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const programKey = (r: IncomingRow) => `${r.workspace_id}\u0000${r.program_id}`;

/**
 * The programs the rows name that their workspaces have, locked key-share: an expiry that is
 * fixing the rows it will move out waits for this batch to commit. One statement, no staging table.
 */
async function lockPrograms(em: EntityManager, rows: IncomingRow[]): Promise<Set<string>> {
  const pairs = [...new Map(rows.map((r) => [programKey(r), r])).values()];
  const found = (await em.query(
    `select p.workspace_id, p.id from program p
      join unnest($1::text[], $2::uuid[]) as k(workspace_id, id) on p.workspace_id = k.workspace_id and p.id = k.id
    order by p.id for key share of p`,
    [pairs.map((r) => r.workspace_id), pairs.map((r) => r.program_id)],
  )) as { workspace_id: string; id: string }[];
  return new Set(found.map((f) => `${f.workspace_id}\u0000${f.id}`));
}

/** Inserts the rows (their programs known and locked), each id once per program; an interaction is activity for its program. */
async function store(em: EntityManager, rows: IncomingRow[]): Promise<number> {
  if (!rows.length) return 0;
  // In key order: two batches holding the same replayed ids then wait on each other instead of deadlocking.
  const ordered = rows.toSorted((a, b) => (a.program_id === b.program_id ? compare(a.id, b.id) : compare(a.program_id, b.program_id)));
  const [stored] = (await em.query(
    `with stored as (
      insert into interaction (workspace_id, id, program_id, step_id, variant_id, control_group, contact_id, type, at)
      select workspace_id, id, program_id, step_id, variant_id, control_group, contact_id, type, at
      from jsonb_to_recordset($1::jsonb) as i(workspace_id text, id uuid, program_id uuid, step_id text, variant_id text, control_group boolean,
        contact_id uuid, type text, at timestamptz)
      on conflict (program_id, id) do nothing returning program_id)
    select count(*)::int as n, coalesce(array_agg(distinct program_id), '{}') as programs from stored`,
    [JSON.stringify(ordered)],
  )) as [{ n: number; programs: string[] }];
  if (stored.programs.length) {
    // At most once a minute per program, so concurrent batches do not queue on its row; always after an expiry,
    // so interactions that arrive for expired data make it due again.
    await em.query(
      `update program set last_activity_at = now() where id = any($1::uuid[])
      and (last_activity_at is null or last_activity_at < now() - interval '1 minute' or last_activity_at <= expired_at)`,
      [stored.programs],
    );
  }
  return stored.n;
}
