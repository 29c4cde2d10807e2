import { randomUUID } from 'node:crypto';
import { PassThrough, Readable, type Readable as ReadableStream } from 'node:stream';
import { loadConfig } from '@custodian/config';
import type { CommandContext } from '@custodian/contracts';
import { createLogger } from '@custodian/observability';
import type { ObjectStorage } from '@custodian/storage';
import { jobEnded, mediumRunner, mediumStack, stackEnv, uniqueWorkspace, waitFor, type MediumStack } from '@custodian/testing';
import { BackupPolicy } from '../backup-policy/backup-policy.js';
import { ContactsEnv } from '../config.js';
import { FieldDefinitions } from '../fields/field-definitions.js';
import { MIGRATIONS } from '../database/migrations.js';
import { ListSnapshots } from '../snapshots/list-snapshot.js';
import { ImportJob } from './import-job.js';

describe('imports whose storage fails them midway (medium: real database and S3, storage faulted)', () => {
  let stack: MediumStack;

  beforeAll(async () => {
    stack = await mediumStack('contacts', MIGRATIONS, ['imports', 'backups']);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Storage as the import sees it, with some of its methods replaced by the test's faults. */
  const faulted = (methods: Partial<Record<'download' | 'upload', unknown>>) =>
    Object.create(stack.storage, Object.fromEntries(Object.entries(methods).map(([name, value]) => [name, { value }]))) as ObjectStorage;

  /** Runs one API import into a new list of a new workspace on `storage`, to its end. */
  async function runImport(storage: ObjectStorage, env: Record<string, string> = {}) {
    const ws = uniqueWorkspace('faulted');
    const [list] = (await stack.ds.query(`insert into list (workspace_id, name) values ($1, 'Newsletter') returning id`, [ws])) as [{ id: string }];
    const config = loadConfig(ContactsEnv, { ...stackEnv(), ...env });
    const imports = new ImportJob(
      stack.ds,
      storage,
      new ListSnapshots(stack.ds, storage, new BackupPolicy(createLogger('contacts', 'warn'))),
      config,
      new FieldDefinitions(config),
    );
    const context: CommandContext = { workspaceId: ws, actor: { id: 'user-1' }, origin: 'api', correlationId: randomUUID() };
    const { job } = await stack.ds.transaction((em) =>
      stack.jobs.enqueue(em, imports.definition, {
        workspaceId: ws,
        requestedBy: 'user-1',
        params: { listId: list.id, mode: 'upsert', objectKey: `${ws}/imports/2026/12/01/${randomUUID()}.csv`, dryRun: false, context },
      }),
    );
    const runner = mediumRunner(stack, [imports.definition]);
    runner.start();
    try {
      return { ws, listId: list.id, job: await jobEnded(stack, imports.definition, ws, job.id, { timeoutMs: 20_000 }) };
    } finally {
      await runner.stop();
    }
  }

  /** Whether another transaction can lock the list: the import's transaction is gone. */
  const unlocked = (listId: string) =>
    stack.ds
      .transaction(async (em) => {
        await em.query("set local lock_timeout = '100ms'");
        return ((await em.query('select id from list where id = $1 for update', [listId])) as unknown[]).length === 1;
      })
      .catch(() => false);

  const rejectedRows = (n: number) => 'email,first_name\n' + Array.from({ length: n }, (_, i) => `not-an-email-${i},Ada\n`).join('');

  it('ends with its time limit and releases the list it locked', async () => {
    // The header and a row arrive, then nothing more, and the connection never closes.
    const stalled = new PassThrough();
    stalled.write('email,first_name\nada@example.com,Ada\n');
    const { ws, listId, job } = await runImport(faulted({ download: async () => stalled }), { CONTACTS_IMPORT_TIMEOUT: '2s' });
    expect(job).toMatchObject({ status: 'discarded', error: { code: 'JOB_TIMED_OUT' } });
    await waitFor(() => unlocked(listId), { timeoutMs: 10_000, what: 'the list to be unlocked' });
    expect(await stack.ds.query('select id from contact where workspace_id = $1', [ws])).toEqual([]);
    expect(stalled.destroyed).toBe(true);
  });

  it('fails, instead of waiting for ever, when the rejected rows cannot be uploaded, and releases the list', async () => {
    // Thousands of rows that are all rejected: far more than the rejected-rows writer holds while its upload is gone.
    const refusing = async (_kind: string, _key: string, body: ReadableStream) => {
      body.destroy(new Error('storage refused the upload'));
      throw new Error('storage refused the upload');
    };
    const { listId, job } = await runImport(faulted({ download: async () => Readable.from([rejectedRows(5000)]), upload: refusing }), {
      CONTACTS_IMPORT_TIMEOUT: '10m',
    });
    expect(job).toMatchObject({ status: 'failed', error: { code: 'JOB_FAILED' } });
    expect(await unlocked(listId)).toBe(true);
  });

  it('leaves no rejected-rows upload pending when the import fails after rejecting rows', async () => {
    // Rejected rows, then a quote that never closes: the file fails after its rejected rows began.
    const file = rejectedRows(5000) + 'bob@example.com,"Bob\n';
    const uploads: { key: string; ended: Promise<'finished' | 'abandoned'> }[] = [];
    const watched = (_kind: string, key: string, body: ReadableStream) => {
      const ended = new Promise<'finished' | 'abandoned'>((resolve) => {
        body.on('end', () => resolve('finished')).on('close', () => resolve(body.readableEnded ? 'finished' : 'abandoned'));
        body.resume();
      });
      uploads.push({ key, ended });
      return ended.then((how) => (how === 'finished' ? { key, bytes: 0, sha256: '' } : Promise.reject(new Error('upload abandoned'))));
    };
    const { job } = await runImport(faulted({ download: async () => Readable.from(file.match(/[^]{1,16384}/g)!), upload: watched }));
    expect(job).toMatchObject({ status: 'failed', error: { code: 'CSV_UNBALANCED_QUOTES' } });
    expect(uploads.map((u) => u.key)).toEqual([expect.stringContaining(`${job.id}-rejected`)]);
    const settled = () => Promise.race([uploads[0]!.ended, new Promise<null>((r) => setImmediate(() => r(null)))]);
    expect(await waitFor(settled, { what: 'the upload to end' })).toBe('abandoned');
  });
});
