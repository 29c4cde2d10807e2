import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  contextOf,
  createEnvelope,
  datasetReport,
  envelopeProblem,
  EventEnvelope,
  ERROR_CODES,
  JOB_GET_V1,
  jobGetSpec,
  MESSAGES,
  messageSpec,
  parseEventSubject,
  validationErrors,
  type JobView,
} from './index.js';

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
    expect(validationErrors(spec.payload, { ...spec.fixture, unexpectedField: 1 }).errors).toContainEqual(expect.objectContaining({ path: 'unexpectedField' }));
    expect(validationErrors(spec.payload, 'text').errors.length).toBeGreaterThan(0);
    expect(validationErrors(spec.payload, null).errors.length).toBeGreaterThan(0);
  });

  it('rejects wrong types with the path of the field', () => {
    const create = MESSAGES.find((m) => m.subject === 'contacts.contact.create.v1')!;
    const { errors } = validationErrors(create.payload, { email: 'not-an-email', firstName: 42 });
    expect([...new Set(errors.map((e) => e.path))].sort()).toEqual(['email', 'firstName']);
  });

  it('builds envelopes whose type and version come from the subject, and that validate', () => {
    const env = createEnvelope(
      'events.contacts.contact.created.v1',
      { workspaceId: 'w1', actor: { id: 'u1', role: 'admin', client: 'app' }, origin: 'app', correlationId: 'c1' },
      { contactId: 'x' },
    );
    expect(env).toMatchObject({ type: 'contacts.contact.created', version: 1, workspaceId: 'w1', origin: 'app' });
    expect(validationErrors(EventEnvelope, env).errors).toEqual([]);
    expect(validationErrors(EventEnvelope, { ...env, origin: 'elsewhere' }).errors).toContainEqual(expect.objectContaining({ path: 'origin' }));
    expect(() => parseEventSubject('contacts.contact.created')).toThrow(/not an event subject/);
  });

  it("gives work an event causes the event's workspace, correlation id and actor, and the event as causation", () => {
    const event = createEnvelope(
      'events.forms.form.submitted.v1',
      { workspaceId: 'w1', actor: { id: 'u1' }, origin: 'app', correlationId: 'c1' },
      { email: 'ada@example.com' },
    );
    expect(event.causationId).toBeUndefined();
    const context = contextOf(event);
    expect(context).toEqual({ workspaceId: 'w1', actor: { id: 'u1' }, origin: 'app', correlationId: 'c1', causationId: event.id });
    expect(createEnvelope('events.contacts.contact.restored.v1', context, {})).toMatchObject({ correlationId: 'c1', causationId: event.id });
    expect(contextOf(event, { actor: { id: 'system' }, origin: 'restore' })).toEqual({ ...context, actor: { id: 'system' }, origin: 'restore' });
  });

  it('names the job.get command of each app that runs jobs', () => {
    for (const [app, spec] of Object.entries(JOB_GET_V1)) expect(jobGetSpec(app)).toBe(spec);
    expect(Object.values(JOB_GET_V1).map((s) => s.subject)).toEqual(Object.keys(JOB_GET_V1).map((app) => `${app}.job.get.v1`));
    expect(() => jobGetSpec('gateway')).toThrow(/runs no jobs/);
    expect(() => jobGetSpec('constructor')).toThrow(/runs no jobs/);
  });

  it('has unique error codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  describe('hand-written checks agree with their classes', () => {
    const envelope = {
      ...createEnvelope(
        'events.messaging.interaction.recorded.v1',
        { workspaceId: 'ws-1', actor: { id: 'sender', role: 'admin' }, origin: 'integration', correlationId: 'c-1' },
        messageSpec('events.messaging.interaction.recorded.v1').fixture,
      ),
      causationId: 'x',
    } as Record<string, unknown>;
    const envelopeSamples: [string, unknown][] = [
      ['valid', envelope],
      ['no causation', { ...envelope, causationId: undefined }],
      ['null causation', { ...envelope, causationId: null }],
      ['extra field', { ...envelope, extra: 1 }],
      ['bad id', { ...envelope, id: 'not-a-uuid' }],
      ['upper-case id', { ...envelope, id: String(envelope.id).toUpperCase() }],
      ['bad type', { ...envelope, type: 'Contacts.x' }],
      ['version 0', { ...envelope, version: 0 }],
      ['version 1.5', { ...envelope, version: 1.5 }],
      ['version as text', { ...envelope, version: '1' }],
      ['bad date', { ...envelope, occurredAt: 'yesterday' }],
      ['date only', { ...envelope, occurredAt: '2026-11-23' }],
      ['numeric workspace', { ...envelope, workspaceId: 7 }],
      ['no actor', { ...envelope, actor: undefined }],
      ['actor extra', { ...envelope, actor: { id: 'a', x: 1 } }],
      ['actor bad role', { ...envelope, actor: { id: 'a', role: 'king' } }],
      ['actor bad client', { ...envelope, actor: { id: 'a', client: 'robot' } }],
      ['bad origin', { ...envelope, origin: 'moon' }],
      ['no correlation', { ...envelope, correlationId: undefined }],
      ['numeric causation', { ...envelope, causationId: 3 }],
      ['array data', { ...envelope, data: [] }],
      ['null data', { ...envelope, data: null }],
      ['array', []],
      ['text', 'x'],
      ['null', null],
    ];
    it.each(envelopeSamples)('envelope: %s', (_name, sample) => {
      expect(envelopeProblem(sample) === null).toBe(validationErrors(EventEnvelope, sample).errors.length === 0);
    });

    const checked = MESSAGES.filter((m) => m.check);
    const payloadSamples = (fixture: Record<string, unknown>): [string, unknown][] => [
      ['fixture', fixture],
      ['extra field', { ...fixture, extra: true }],
      ['array', []],
      ['null', null],
      ...Object.keys(fixture).flatMap((key): [string, unknown][] => [
        [`${key} missing`, { ...fixture, [key]: undefined }],
        [`${key} null`, { ...fixture, [key]: null }],
        [`${key} number`, { ...fixture, [key]: 12 }],
        [`${key} text`, { ...fixture, [key]: 'some text' }],
        [`${key} long`, { ...fixture, [key]: 'x'.repeat(101) }],
        [`${key} true`, { ...fixture, [key]: true }],
        [`${key} date`, { ...fixture, [key]: '2026-11-23' }],
        [`${key} date-time`, { ...fixture, [key]: '2026-11-23T10:00:00Z' }],
      ]),
      [
        'all optional',
        { programId: fixture.programId, contactId: fixture.contactId, type: 'opened', at: '2026-11-23T10:00:00.000+01:00', controlGroup: false },
      ],
    ];
    it.each(
      checked.flatMap((m) => payloadSamples(m.fixture as Record<string, unknown>).map(([name, sample]) => [`${m.subject}: ${name}`, m, sample] as const)),
    )('%s', (_name, spec, sample) => {
      expect(spec.check!(sample) === null).toBe(validationErrors(spec.payload, sample).errors.length === 0);
    });
    it('covers the bulk events', () => expect(checked.map((m) => m.subject)).toEqual(['events.messaging.interaction.recorded.v1']));
  });
});

describe('dataset reports', () => {
  const job = (over: Partial<JobView>): JobView => ({
    id: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    kind: 'dataset-export',
    status: 'succeeded',
    progress: { done: 2, total: 2 },
    requestedBy: 'exports',
    requestedAt: '2026-11-23T10:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    expiresAt: null,
    result: null,
    error: null,
    ...over,
  });
  const exportId = '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1';

  it('reports the file of a job that succeeded, as a valid exported payload', () => {
    const file = { bucket: 'custodian-exports', key: 'w1/exports/x.csv', rows: 2, bytes: 30, sha256: 'a'.repeat(64), columns: ['id'], exportId, extra: 1 };
    const report = datasetReport(job({ result: file }), exportId);
    expect(report).toEqual({
      outcome: 'exported',
      data: { exportId, jobId: job({}).id, bucket: file.bucket, key: file.key, rows: 2, bytes: 30, sha256: file.sha256, columns: ['id'] },
    });
    expect(validationErrors(messageSpec('events.contacts.dataset.exported.v1').payload, report.data).errors).toEqual([]);
  });

  it('reports why a job did not succeed, with its code, or its status when it has none', () => {
    expect(datasetReport(job({ status: 'failed', error: { code: 'DATASET_BAD_PROFILES', message: 'no header' } }), exportId)).toEqual({
      outcome: 'failed',
      data: { exportId, jobId: job({}).id, code: 'DATASET_BAD_PROFILES', message: 'no header' },
    });
    const cancelled = datasetReport(job({ status: 'cancelled' }), exportId);
    expect(cancelled.data).toMatchObject({ code: 'cancelled', message: 'cancelled' });
    expect(validationErrors(messageSpec('events.interactions.dataset.failed.v1').payload, cancelled.data).errors).toEqual([]);
  });
});
