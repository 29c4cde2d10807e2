import {
  archiveContactsV1,
  contactCreatedV1,
  DomainError,
  ErrorCode,
  getContactV1,
  interactionRecordedV1,
  systemContext,
  type CommandContext,
  type ContactCreatedV1,
  type ContactView,
  type EventEnvelope,
  type GetContactV1,
  type InteractionRecordedV1,
} from '@custodian/contracts';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import type { EntityManager } from 'typeorm';
import { PAGE_MAX_BYTES } from '@custodian/persistence';
import { COMMAND_HANDLER, CommandClient, CommandHandler, MAX_REPLY_BYTES } from './commands.js';
import { EVENT_BATCH_HANDLER, EVENT_HANDLER, OnEvent, OnEventBatch } from './on-event.js';

const MISSING = '00000000-0000-4000-8000-000000000000';
const BROKEN = '00000000-0000-4000-8000-000000000001';
const HUGE = '00000000-0000-4000-8000-000000000002';

class Handlers {
  @CommandHandler(getContactV1)
  async get(data: GetContactV1, _context: CommandContext): Promise<ContactView> {
    if (data.id === MISSING) throw new DomainError(ErrorCode.NotFound, `contact ${data.id} not found`);
    if (data.id === BROKEN) throw new Error('the database went away');
    if (data.id === HUGE) return { id: data.id, fields: { notes: 'x'.repeat(MAX_REPLY_BYTES) } } as unknown as ContactView;
    return { id: data.id } as ContactView;
  }

  @OnEvent(contactCreatedV1)
  async created(_event: EventEnvelope<ContactCreatedV1>, _em: EntityManager): Promise<void> {}

  @OnEventBatch(interactionRecordedV1, { maxBatch: 50 })
  async recorded(_events: EventEnvelope<InteractionRecordedV1>[], _em: EntityManager): Promise<void> {}
}

describe('message handler decorators', () => {
  const level = process.env.LOG_LEVEL;
  beforeAll(() => {
    process.env.LOG_LEVEL = 'silent';
  });
  afterAll(() => {
    process.env.LOG_LEVEL = level;
  });

  const handlers = new Handlers();
  const handle = (request: unknown) => (handlers.get as unknown as (request: unknown) => Promise<unknown>).call(handlers, request);
  const id = '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1';

  it('register the subject of the spec', () => {
    expect(Reflect.getMetadata(COMMAND_HANDLER, Handlers.prototype.get)).toBe('contacts.contact.get.v1');
    expect(Reflect.getMetadata(PATTERN_METADATA, Handlers.prototype.get)).toEqual(['contacts.contact.get.v1']);
    expect(Reflect.getMetadata(EVENT_HANDLER, Handlers.prototype.created)).toBe('events.contacts.contact.created.v1');
    expect(Reflect.getMetadata(EVENT_BATCH_HANDLER, Handlers.prototype.recorded)).toEqual({
      subject: 'events.messaging.interaction.recorded.v1',
      maxBatch: 50,
    });
  });

  it('answer a command with its reply, or with the error of a refused or failed one', async () => {
    const context = systemContext('ws-1');
    expect(await handle({ context, data: { id } })).toEqual({ ok: true, data: { id } });
    expect(await handle({ context, data: { id: 'nope' } })).toMatchObject({ ok: false, error: { code: ErrorCode.ValidationFailed } });
    expect(await handle({ context, data: { id: MISSING } })).toMatchObject({ ok: false, error: { code: ErrorCode.NotFound } });
    expect(await handle({ context, data: { id: BROKEN } })).toEqual({
      ok: false,
      error: { code: ErrorCode.Internal, message: 'internal error while handling contacts.contact.get.v1' },
    });
    expect(await handle({ data: { id } })).toMatchObject({ ok: false, error: { code: ErrorCode.ValidationFailed } });
  });

  it('answer a reply too large for one message with REPLY_TOO_LARGE, the last resort behind bounded replies', async () => {
    expect(await handle({ context: systemContext('ws-1'), data: { id: HUGE } })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.ReplyTooLarge, message: expect.stringMatching(/answers are limited to/) },
    });
  });

  it('leave a page of items room under the largest reply, for its cursor and the wrapping of the transport', () => {
    expect(MAX_REPLY_BYTES - PAGE_MAX_BYTES).toBeGreaterThanOrEqual(256 * 1024);
  });

  it('refuse to send a request NATS would not carry, saying so, instead of waiting for an answer that cannot come', async () => {
    let sent = 0;
    const client = new CommandClient({ send: () => (sent += 1) } as never);
    const emails = Array.from({ length: 10_000 }, (_, i) => `someone-${i}@${'a'.repeat(60)}.${'b'.repeat(20)}.example.com`);
    await expect(client.request(archiveContactsV1, systemContext('ws-1'), { emails })).rejects.toMatchObject({
      code: ErrorCode.PayloadTooLarge,
      message: expect.stringMatching(/requests are limited to/),
    });
    expect(sent).toBe(0);
  });
});
