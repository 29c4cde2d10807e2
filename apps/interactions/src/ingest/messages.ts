import type { ConversationRecordedV1, MessageRecordedV1 } from '@custodian/contracts';
import type { EntityManager } from 'typeorm';

// Conversations and messages are stored as their latest version: a row changes only for a newer
// one, so replays and events arriving out of order are no-ops. Within a batch, the newest version
// of each id is the one offered (an upsert cannot touch one row twice in a statement).

const MESSAGE_COLUMNS = `workspace_id text, id uuid, conversation_id uuid, contact_id uuid, channel text, direction text, program_id uuid,
  sender text, content_type text, text text, status text, failure_reason text, at timestamptz, status_at timestamptz`;
const MESSAGE_FIELDS = [
  'conversation_id',
  'contact_id',
  'channel',
  'direction',
  'program_id',
  'sender',
  'content_type',
  'text',
  'status',
  'failure_reason',
  'at',
  'status_at',
];

const CONVERSATION_COLUMNS = `workspace_id text, id uuid, contact_id uuid, channel text, status text, assignee text, closed_by text, category text,
  opened_at timestamptz, first_response_at timestamptz, closed_at timestamptz, updated_at timestamptz`;
const CONVERSATION_FIELDS = [
  'contact_id',
  'channel',
  'status',
  'assignee',
  'closed_by',
  'category',
  'opened_at',
  'first_response_at',
  'closed_at',
  'updated_at',
];

export function messageRow(workspaceId: string, m: MessageRecordedV1) {
  return {
    workspace_id: workspaceId,
    id: m.messageId,
    conversation_id: m.conversationId ?? null,
    contact_id: m.contactId,
    channel: m.channel,
    direction: m.direction,
    program_id: m.programId ?? null,
    sender: m.sender ?? null,
    content_type: m.contentType ?? null,
    text: m.text ?? null,
    status: m.status,
    failure_reason: m.failureReason ?? null,
    at: m.at,
    status_at: m.statusAt,
  };
}

export function conversationRow(workspaceId: string, c: ConversationRecordedV1) {
  return {
    workspace_id: workspaceId,
    id: c.conversationId,
    contact_id: c.contactId,
    channel: c.channel,
    status: c.status,
    assignee: c.assignee ?? null,
    closed_by: c.closedBy ?? null,
    category: c.category ?? null,
    opened_at: c.openedAt,
    first_response_at: c.firstResponseAt ?? null,
    closed_at: c.closedAt ?? null,
    updated_at: c.updatedAt,
  };
}

/** Stores the messages newer than what is there; answers how many rows were written. */
export function storeMessages(em: EntityManager, rows: ReturnType<typeof messageRow>[]): Promise<number> {
  return upsertLatest(em, 'message', MESSAGE_COLUMNS, MESSAGE_FIELDS, 'status_at', rows);
}

/** Stores the conversations newer than what is there; answers how many rows were written. */
export function storeConversations(em: EntityManager, rows: ReturnType<typeof conversationRow>[]): Promise<number> {
  return upsertLatest(em, 'conversation', CONVERSATION_COLUMNS, CONVERSATION_FIELDS, 'updated_at', rows);
}

async function upsertLatest(em: EntityManager, table: string, columns: string, fields: string[], version: string, rows: object[]): Promise<number> {
  if (!rows.length) return 0;
  const [{ n }] = (await em.query(
    `with latest as (
      select distinct on (workspace_id, id) * from jsonb_to_recordset($1::jsonb) as r(${columns}) order by workspace_id, id, ${version} desc),
    written as (
      insert into ${table} (workspace_id, id, ${fields.join(', ')}) select workspace_id, id, ${fields.join(', ')} from latest
      on conflict (workspace_id, id) do update set ${fields.map((f) => `${f} = excluded.${f}`).join(', ')}
      where ${table}.${version} < excluded.${version}
      returning 1)
    select count(*)::int as n from written`,
    [JSON.stringify(rows)],
  )) as [{ n: number }];
  return n;
}
