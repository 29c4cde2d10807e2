import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '@custodian/config';
import {
  INTERACTION_DATASET_COLUMNS,
  systemContext,
  USER_PROFILE_COLUMNS,
  type CommandContext,
  type ConversationRecordedV1,
  type ExportInteractionsDatasetV1,
  type InteractionInput,
  type MessageRecordedV1,
} from '@custodian/contracts';
import { objectKey } from '@custodian/storage';
import {
  handleCommand,
  jobTransaction,
  mediumStack,
  objectKeys,
  putObject,
  recordedEvents,
  runJob,
  stackEnv,
  uniqueWorkspace,
  type MediumStack,
} from '@custodian/testing';
import { InteractionsEnv } from '../config.js';
import { ExpireJob, type ExpireParams, type ExpireResult } from '../expiry/expire-job.js';
import { IngestHandlers } from '../ingest/ingest.handlers.js';
import { MIGRATIONS } from '../migrations.js';
import { ProgramHandlers } from '../programs/programs.handlers.js';
import { InteractionDatasetJob } from './dataset-export-job.js';

const EXPORTED = 'events.interactions.dataset.exported.v1';
const FAILED = 'events.interactions.dataset.failed.v1';

/** The range the conversations and messages datasets are asked for: `from` inclusive, `to` exclusive. */
const FROM = '2026-05-01T00:00:00.000Z';
const TO = '2026-05-02T00:00:00.000Z';

describe('the interactions dataset job, on the real database and S3 server', () => {
  let stack: MediumStack;
  let env: InteractionsEnv;
  let programs: ProgramHandlers;
  let ingest: IngestHandlers;
  let expiries: ExpireJob;
  let datasets: InteractionDatasetJob;
  const ws = uniqueWorkspace('ids');
  const other = uniqueWorkspace('ids');
  /** Campaigns and canvases: spring, summer (live campaigns), welcome (a live canvas), old (a campaign whose data expired). */
  const program: Record<'spring' | 'summer' | 'welcome' | 'old' | 'others', string> = { spring: '', summer: '', welcome: '', old: '', others: '' };
  const contact = { k1: randomUUID(), k2: randomUUID(), k3: randomUUID(), k4: randomUUID() };
  const conversation = { early: randomUUID(), first: randomUUID(), second: randomUUID(), atTo: randomUUID(), others: randomUUID() };
  const message = {
    before: randomUUID(),
    first: randomUUID(),
    reply: randomUUID(),
    bounce: randomUUID(),
    inboundFailed: randomUUID(),
    sent: randomUUID(),
    sms: randomUUID(),
    atTo: randomUUID(),
    others: randomUUID(),
  };

  const user = (wsId: string): CommandContext => ({ workspaceId: wsId, actor: { id: 'user-1', role: 'admin' }, origin: 'api', correlationId: randomUUID() });

  const create = async (wsId: string, kind: 'campaign' | 'canvas', name: string) => {
    const created = await handleCommand(programs, 'create', user(wsId), { kind, name });
    await handleCommand(programs, 'transition', user(wsId), { kind, id: created.id, action: 'start' });
    return created.id;
  };

  const interaction = (programId: string, contactId: string, type: InteractionInput['type'], at: string): InteractionInput => ({
    id: randomUUID(),
    programId,
    contactId,
    type,
    at,
  });

  const conversationOf = (
    id: string,
    openedAt: string,
    c: Partial<ConversationRecordedV1> & Pick<ConversationRecordedV1, 'channel' | 'status'>,
  ): ConversationRecordedV1 => ({ conversationId: id, contactId: contact.k1, openedAt, updatedAt: openedAt, ...c });

  const messageOf = (
    id: string,
    at: string,
    m: Partial<MessageRecordedV1> & Pick<MessageRecordedV1, 'channel' | 'direction' | 'status'>,
  ): MessageRecordedV1 => ({ messageId: id, contactId: contact.k1, at, statusAt: at, ...m });

  beforeAll(async () => {
    stack = await mediumStack('interactions', MIGRATIONS, ['interactions', 'exports']);
    env = loadConfig(InteractionsEnv, stackEnv());
    programs = new ProgramHandlers(stack.ds, env);
    ingest = new IngestHandlers(stack.ds);
    expiries = new ExpireJob(stack.ds, stack.storage, env);
    datasets = new InteractionDatasetJob(stack.ds, stack.storage);

    program.spring = await create(ws, 'campaign', 'Spring sale');
    program.summer = await create(ws, 'campaign', 'Summer sale');
    program.welcome = await create(ws, 'canvas', 'Welcome journey');
    program.old = await create(ws, 'campaign', 'Last year');
    program.others = await create(other, 'campaign', 'Spring sale');

    // The old campaign's first interactions, then it stops long ago and the expiry job moves them out.
    await handleCommand(ingest, 'ingest', user(ws), {
      interactions: [
        interaction(program.old, contact.k1, 'received', '2026-04-01T08:00:00.000Z'),
        interaction(program.old, contact.k4, 'received', '2026-04-01T08:00:00.000Z'),
      ],
    });
    await handleCommand(programs, 'transition', user(ws), { kind: 'campaign', id: program.old, action: 'stop' });
    await stack.ds.query(
      `update program set stopped_at = stopped_at - make_interval(secs => $2), last_activity_at = last_activity_at - make_interval(secs => $2)
      where id = $1`,
      [program.old, env.INTERACTIONS_EXPIRE_AFTER / 1000 + 3600],
    );
    const expired = await runJob<ExpireParams, ExpireResult>(stack, expiries.definition, {
      workspaceId: ws,
      requestedBy: 'system',
      params: { programId: program.old, context: systemContext(ws) },
      concurrencyKey: `program:${program.old}`,
    });
    expect(expired.result).toMatchObject({ rows: 2 });

    const stored = await handleCommand(ingest, 'ingest', user(ws), {
      interactions: [
        interaction(program.spring, contact.k1, 'received', '2026-05-01T08:00:00.000Z'),
        interaction(program.spring, contact.k1, 'opened', '2026-05-01T08:10:00.000Z'),
        interaction(program.spring, contact.k1, 'clicked', '2026-05-01T08:20:00.000Z'),
        interaction(program.spring, contact.k1, 'converted', '2026-05-01T08:30:00.000Z'),
        interaction(program.spring, contact.k2, 'received', '2026-05-01T08:00:00.000Z'),
        interaction(program.spring, contact.k2, 'failed', '2026-05-01T08:01:00.000Z'),
        interaction(program.summer, contact.k1, 'received', '2026-04-20T00:00:00.000Z'),
        interaction(program.welcome, contact.k1, 'received', '2026-05-01T09:00:00.000Z'),
        interaction(program.welcome, contact.k1, 'bounced', '2026-05-01T09:01:00.000Z'),
        interaction(program.welcome, contact.k2, 'received', '2026-05-01T10:00:00.000Z'),
        interaction(program.welcome, contact.k2, 'opened', '2026-05-01T11:00:00.000Z'),
        // Arriving after the expiry: stored (they make the program due again), but its data is not live.
        interaction(program.old, contact.k1, 'received', '2026-06-01T00:00:00.000Z'),
        interaction(program.old, contact.k1, 'opened', '2026-06-01T01:00:00.000Z'),
        interaction(program.old, contact.k4, 'clicked', '2026-06-01T02:00:00.000Z'),
      ],
      conversations: [
        conversationOf(conversation.early, '2026-04-30T23:59:59.000Z', { channel: 'email', status: 'open', assignee: 'early' }),
        conversationOf(conversation.first, FROM, {
          channel: 'whatsapp',
          status: 'closed',
          assignee: '=HYPERLINK("x")',
          closedBy: '+agent-7',
          category: 'resolved; refund',
          firstResponseAt: '2026-05-01T00:05:00.000Z',
          closedAt: '2026-05-01T01:00:00.000Z',
          updatedAt: '2026-05-01T01:00:00.000Z',
        }),
        conversationOf(conversation.second, '2026-05-01T18:45:30.000Z', { channel: 'webchat', status: 'open', assignee: '@support' }),
        conversationOf(conversation.atTo, TO, { channel: 'sms', status: 'open', assignee: 'late' }),
      ],
      messages: [
        messageOf(message.before, '2026-04-30T22:00:00.000Z', { channel: 'sms', direction: 'outbound', status: 'failed', failureReason: 'too early' }),
        messageOf(message.first, FROM, {
          conversationId: conversation.first,
          channel: 'whatsapp',
          direction: 'outbound',
          programId: program.spring,
          sender: '=agent',
          contentType: 'text',
          text: '=1+2',
          status: 'delivered',
          statusAt: '2026-05-01T00:00:05.000Z',
        }),
        messageOf(message.reply, '2026-05-01T06:00:00.000Z', {
          conversationId: conversation.first,
          channel: 'whatsapp',
          direction: 'inbound',
          contentType: 'text',
          text: 'Hi; "stop" please',
          status: 'received',
        }),
        // Sent as pending; its failure (a later version, below) is what is stored.
        messageOf(message.bounce, '2026-05-01T08:00:00.000Z', {
          channel: 'email',
          direction: 'outbound',
          programId: program.spring,
          sender: 'campaigns',
          contentType: 'html',
          text: '-20% today only',
          status: 'pending',
        }),
        // The contract lets an inbound message be failed; the failed messages dataset is of outbound ones only.
        messageOf(message.inboundFailed, '2026-05-01T09:00:00.000Z', {
          contactId: contact.k2,
          channel: 'sms',
          direction: 'inbound',
          text: '+1 555',
          status: 'failed',
          failureReason: 'carrier rejected',
        }),
        messageOf(message.sent, '2026-05-01T10:00:00.000Z', { channel: 'sms', direction: 'outbound', text: 'Your order shipped', status: 'sent' }),
        messageOf(message.sms, '2026-05-01T23:59:59.000Z', {
          contactId: contact.k2,
          channel: 'sms',
          direction: 'outbound',
          programId: program.welcome,
          contentType: 'text',
          text: 'Your code',
          status: 'failed',
          failureReason: '-1 invalid number',
          statusAt: '2026-05-02T00:00:01.000Z',
        }),
        messageOf(message.atTo, TO, { channel: 'sms', direction: 'outbound', status: 'failed', failureReason: 'too late' }),
      ],
    });
    expect(stored).toMatchObject({ stored: 14, conversations: { stored: 4 }, messages: { stored: 8 } });
    const failed = await handleCommand(ingest, 'ingest', user(ws), {
      messages: [
        messageOf(message.bounce, '2026-05-01T08:00:00.000Z', {
          channel: 'email',
          direction: 'outbound',
          programId: program.spring,
          sender: 'campaigns',
          contentType: 'html',
          text: '-20% today only',
          status: 'failed',
          failureReason: '@mailbox full',
          statusAt: '2026-05-01T08:00:03.000Z',
        }),
      ],
    });
    expect(failed.messages).toEqual({ received: 1, stored: 1 });
    // The expired campaign's late rows are in PostgreSQL: only its state keeps them out of the users summary.
    const [{ n: late }] = (await stack.ds.query('select count(*)::int as n from interaction where program_id = $1', [program.old])) as [{ n: number }];
    expect(late).toBe(3);

    // Another workspace's data, in the same range and for the same contact ids, is never in this one's datasets.
    await handleCommand(ingest, 'ingest', user(other), {
      interactions: [
        interaction(program.others, contact.k1, 'received', '2026-05-01T12:00:00.000Z'),
        interaction(program.others, contact.k3, 'converted', '2026-05-01T12:00:00.000Z'),
      ],
      conversations: [conversationOf(conversation.others, '2026-05-01T12:00:00.000Z', { channel: 'email', status: 'open', assignee: 'other' })],
      messages: [messageOf(message.others, '2026-05-01T12:00:00.000Z', { channel: 'email', direction: 'outbound', status: 'failed', failureReason: 'other' })],
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Runs the dataset job for a request the export handler accepts (it validates before queueing). */
  function exportDataset(request: Omit<ExportInteractionsDatasetV1, 'exportId' | 'key'>, ext = 'csv') {
    const exportId = randomUUID();
    const key = objectKey(ws, 'exports', exportId, ext);
    InteractionDatasetJob.validate({ exportId, key, ...request });
    const context = { workspaceId: ws, actor: { id: 'exports' }, origin: 'system' as const, correlationId: randomUUID() };
    return runJob(stack, datasets.definition, { workspaceId: ws, params: { exportId, key, ...request, context } });
  }

  /** The stored file, its result as the job should answer it, and the exported event recorded in the job's final transaction. */
  async function expectExported(job: Awaited<ReturnType<typeof exportDataset>>, rows: number, columns: readonly string[]): Promise<Buffer> {
    expect(job.status).toBe('succeeded');
    const { exportId, key } = job.params;
    const file = await stack.storage.readSmall('exports', key);
    const sha256 = createHash('sha256').update(file).digest('hex');
    const report = { exportId, bucket: stack.storage.bucket('exports'), key, rows, bytes: file.length, sha256, columns: [...columns] };
    expect(job.result).toEqual(report);
    expect(job.progress).toEqual({ done: rows, total: rows });
    const events = (await recordedEvents(stack, { workspaceId: ws })).filter((e) => e.envelope.data.exportId === exportId);
    expect(events.map((e) => [e.subject, e.envelope.data])).toEqual([[EXPORTED, { jobId: job.id, ...report }]]);
    expect(events[0]!.envelope).toMatchObject({ origin: 'system', actor: { id: 'exports' }, correlationId: job.params.context.correlationId });
    expect(events[0]!.transaction).toBe(await jobTransaction(stack, job.id));
    return file;
  }

  it('writes the conversations opened in [from, to), chosen columns in order, formula-safe, in the asked time zone, with ; and gzip and no header', async () => {
    const fields = ['openedAt', 'id', 'status', 'assignee', 'closedBy', 'category', 'closedAt'];
    const job = await exportDataset(
      { dataset: 'conversations', from: FROM, to: TO, fields, timeZone: 'Asia/Kolkata', delimiter: ';', compression: 'gzip', header: false },
      'csv.gz',
    );
    const file = await expectExported(job, 2, fields);
    expect(gunzipSync(file).toString('utf8')).toBe(
      `2026-05-01T05:30:00+05:30;${conversation.first};closed;"'=HYPERLINK(""x"")";'+agent-7;"resolved; refund";2026-05-01T06:30:00+05:30\n` +
        `2026-05-02T00:15:30+05:30;${conversation.second};open;'@support;;;\n`,
    );
  });

  it('writes the messages sent or received in [from, to), each at its latest status, chosen columns in order, formula-safe, with ; and gzip and no header', async () => {
    const fields = ['at', 'id', 'direction', 'channel', 'sender', 'text', 'status', 'failureReason', 'programId', 'statusAt'];
    const job = await exportDataset(
      { dataset: 'messages', from: FROM, to: TO, fields, timeZone: 'America/New_York', delimiter: ';', compression: 'gzip', header: false },
      'csv.gz',
    );
    const file = await expectExported(job, 6, fields);
    expect(gunzipSync(file).toString('utf8')).toBe(
      `2026-04-30T20:00:00-04;${message.first};outbound;whatsapp;'=agent;'=1+2;delivered;;${program.spring};2026-04-30T20:00:05-04\n` +
        `2026-05-01T02:00:00-04;${message.reply};inbound;whatsapp;;"Hi; ""stop"" please";received;;;2026-05-01T02:00:00-04\n` +
        `2026-05-01T04:00:00-04;${message.bounce};outbound;email;campaigns;'-20% today only;failed;'@mailbox full;${program.spring};2026-05-01T04:00:03-04\n` +
        `2026-05-01T05:00:00-04;${message.inboundFailed};inbound;sms;;'+1 555;failed;carrier rejected;;2026-05-01T05:00:00-04\n` +
        `2026-05-01T06:00:00-04;${message.sent};outbound;sms;;Your order shipped;sent;;;2026-05-01T06:00:00-04\n` +
        `2026-05-01T19:59:59-04;${message.sms};outbound;sms;;Your code;failed;'-1 invalid number;${program.welcome};2026-05-01T20:00:01-04\n`,
    );
  });

  it('writes only the failed outbound messages in [from, to), every column with the header, in CET by default', async () => {
    const columns = INTERACTION_DATASET_COLUMNS.failed_messages;
    const job = await exportDataset({ dataset: 'failed_messages', from: FROM, to: TO });
    const file = await expectExported(job, 2, columns);
    expect(file.toString('utf8')).toBe(
      'id,conversationId,contactId,channel,programId,sender,contentType,text,failureReason,at,statusAt\n' +
        `${message.bounce},,${contact.k1},email,${program.spring},campaigns,html,'-20% today only,'@mailbox full,2026-05-01T10:00:00+02,2026-05-01T10:00:03+02\n` +
        `${message.sms},,${contact.k2},sms,${program.welcome},,text,Your code,'-1 invalid number,2026-05-02T01:59:59+02,2026-05-02T02:00:01+02\n`,
    );
  });

  it("joins the profiles file, in its order, with each contact's summary of live programs only: an expired campaign's data is left out", async () => {
    const profilesKey = objectKey(ws, 'exports', randomUUID(), 'csv');
    await putObject(
      stack,
      'exports',
      profilesKey,
      `${USER_PROFILE_COLUMNS.join(',')}\n` +
        `${contact.k2},k2@example.com,=SUM(A1),"O'Brien, Jr"\n` +
        `${contact.k3},k3@example.com,,\n` +
        // As the contacts dataset writes it: already formula-safe, so it gets no second apostrophe.
        `${contact.k1},k1@example.com,Ana,'-Díaz\n` +
        `${contact.k4},k4@example.com,@Lee,\n`,
    );
    const job = await exportDataset({ dataset: 'users', profilesKey, timeZone: 'Asia/Tokyo' });
    const file = await expectExported(job, 4, INTERACTION_DATASET_COLUMNS.users);
    expect(file.toString('utf8')).toBe(
      'id,email,firstName,lastName,campaigns,canvases,received,opened,clicked,converted,bounced,failed,lastInteractionAt\n' +
        `${contact.k2},k2@example.com,'=SUM(A1),"O'Brien, Jr",1,1,2,1,0,0,0,1,2026-05-01T20:00:00+09\n` +
        `${contact.k3},k3@example.com,,,0,0,0,0,0,0,0,0,\n` +
        `${contact.k1},k1@example.com,Ana,'-Díaz,2,1,3,1,1,1,1,0,2026-05-01T18:01:00+09\n` +
        `${contact.k4},k4@example.com,'@Lee,,0,0,0,0,0,0,0,0,\n`,
    );
  });

  /** The job ended failed, wrote nothing at its key, and its end recorded the failed event with its error (and no exported one). */
  async function expectFailed(job: Awaited<ReturnType<typeof exportDataset>>): Promise<void> {
    expect(job.status).toBe('failed');
    const { exportId, key } = job.params;
    expect(await stack.storage.stat('exports', key)).toBeNull();
    expect(await objectKeys(stack, 'exports', `${ws}/`)).not.toContain(key);
    const events = (await recordedEvents(stack, { workspaceId: ws })).filter((e) => e.envelope.data.exportId === exportId);
    expect(events.map((e) => [e.subject, e.envelope.data])).toEqual([
      [FAILED, { exportId, jobId: job.id, code: job.error!.code, message: job.error!.message }],
    ]);
    expect(events[0]!.transaction).toBe(await jobTransaction(stack, job.id));
  }

  it.each([
    ['has its columns in another order', 'id,email,lastName,firstName\n', /column name mismatch in header line field 3: got "lastName", expected "firstName"/],
    ['has no header', `${contact.k1},k1@example.com,Ana,Díaz\n`, /column name mismatch in header line field 1/],
  ])('ends failed with DATASET_BAD_PROFILES when the profiles file %s, writing no file', async (_what, body, reason) => {
    const profilesKey = objectKey(ws, 'exports', randomUUID(), 'csv');
    await putObject(stack, 'exports', profilesKey, body);
    const job = await exportDataset({ dataset: 'users', profilesKey });
    await expectFailed(job);
    expect(job.error!.code).toBe('DATASET_BAD_PROFILES');
    expect(job.error!.message).toMatch(reason);
    expect(job.error!.message).toContain(`profiles file ${profilesKey}: `);
    expect(job.error!.message).toContain('(expected the header id,email,firstName,lastName)');
  });

  it('ends failed with DATASET_BAD_PROFILES when there is no profiles file at its key, writing no file', async () => {
    const profilesKey = objectKey(ws, 'exports', randomUUID(), 'csv');
    const job = await exportDataset({ dataset: 'users', profilesKey });
    await expectFailed(job);
    expect(job.error).toMatchObject({ code: 'DATASET_BAD_PROFILES', message: expect.stringContaining(`profiles file ${profilesKey}: `) });
  });

  it('ends failed with DATASET_BAD_TIME_ZONE for an unknown time zone, writing no file', async () => {
    const job = await exportDataset({ dataset: 'conversations', from: FROM, to: TO, timeZone: 'Mars/Olympus' });
    await expectFailed(job);
    expect(job.error).toEqual({ code: 'DATASET_BAD_TIME_ZONE', message: 'unknown time zone "Mars/Olympus"' });
  });
});
