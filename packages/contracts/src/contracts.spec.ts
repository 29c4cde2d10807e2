import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEnvelope, EventEnvelope, ERROR_CODES, MESSAGES, parseEventSubject, validationErrors } from './index.js';

const messagesDir = join(dirname(fileURLToPath(import.meta.url)), 'messages');

describe('contracts', () => {
  it('registers every message folder exactly once, under its own subject', () => {
    const folders = readdirSync(messagesDir).sort();
    expect(MESSAGES.map((m) => m.subject).sort()).toEqual(folders);
  });

  it('puts the version in every subject', () => {
    for (const m of MESSAGES) expect(m.subject).toMatch(/\.v\d+$/);
  });

  it.each(MESSAGES.map((m) => [m.subject, m] as const))('%s: the fixture validates', (_subject, spec) => {
    expect(validationErrors(spec.payload, spec.fixture).errors).toEqual([]);
  });

  it.each(MESSAGES.map((m) => [m.subject, m] as const))('%s: unknown fields and non-objects are rejected', (_subject, spec) => {
    expect(validationErrors(spec.payload, { ...spec.fixture, unexpectedField: 1 }).errors).toContainEqual(
      expect.objectContaining({ path: 'unexpectedField' }),
    );
    expect(validationErrors(spec.payload, 'text').errors.length).toBeGreaterThan(0);
    expect(validationErrors(spec.payload, null).errors.length).toBeGreaterThan(0);
  });

  it('rejects wrong types with the path of the field', () => {
    const create = MESSAGES.find((m) => m.subject === 'contacts.contact.create.v1')!;
    const { errors } = validationErrors(create.payload, { email: 'not-an-email', firstName: 42 });
    expect([...new Set(errors.map((e) => e.path))].sort()).toEqual(['email', 'firstName']);
  });

  it('builds envelopes whose type and version come from the subject, and that validate', () => {
    const env = createEnvelope('events.contacts.contact.created.v1',
      { workspaceId: 'w1', actor: { id: 'u1', role: 'admin', client: 'app' }, origin: 'app', correlationId: 'c1' }, { contactId: 'x' });
    expect(env).toMatchObject({ type: 'contacts.contact.created', version: 1, workspaceId: 'w1', origin: 'app' });
    expect(validationErrors(EventEnvelope, env).errors).toEqual([]);
    expect(validationErrors(EventEnvelope, { ...env, origin: 'elsewhere' }).errors).toContainEqual(expect.objectContaining({ path: 'origin' }));
    expect(() => parseEventSubject('contacts.contact.created')).toThrow(/not an event subject/);
  });

  it('has unique error codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});
