import { randomUUID } from 'node:crypto';
import { PassThrough, Readable, type Readable as ReadableStream } from 'node:stream';
import { loadConfig } from '@custodian/config';
import type { CommandContext } from '@custodian/contracts';
import { createLogger } from '@custodian/observability';
import type { ObjectStorage } from '@custodian/storage';
import { jobEnded, mediumRunner, mediumStack, stackEnv, uniqueWorkspace, waitFor, type MediumStack } from '@custodian/testing';
import { BackupPolicy } from '../backup-policy/backup-policy.js';
import { ContactsEnv } from '../config.js';
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

  it('ends with its time limit and releases the list it locked', async () => {
    const ws = uniqueWorkspace('stall');
    const [list] = (await stack.ds.query(`insert into list (workspace_id, name) values ($1, 'Newsletter') returning id`, [ws])) as [{ id: string }];
    // The header and a row arrive, then nothing more, and the connection never closes.
    const stalled = new PassThrough();
    stalled.write('email,first_name\nada@example.com,Ada\n');
    const storage = Object.create(stack.storage, { download: { value: async () => stalled } }) as ObjectStorage;
    const env = loadConfig(ContactsEnv, { ...stackEnv(), CONTACTS_IMPORT_TIMEOUT: '2s' });
    const imports = new ImportJob(stack.ds, storage, new ListSnapshots(stack.ds, storage, new BackupPolicy(createLogger('contacts', 'warn'))), env);
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
      const done = await jobEnded(stack, imports.definition, ws, job.id);
      expect(done).toMatchObject({ status: 'discarded', error: { code: 'JOB_TIMED_OUT' } });
      // The import's transaction is gone: the list can be locked again, and nothing of the file was written.
      await waitFor(
        () =>
          stack.ds
            .transaction(async (em) => {
              await em.query("set local lock_timeout = '100ms'");
              return ((await em.query('select id from list where id = $1 for update', [list.id])) as unknown[]).length === 1;
            })
            .catch(() => false),
        { timeoutMs: 10_000, what: 'the list to be unlocked' },
      );
      expect(await stack.ds.query('select id from contact where workspace_id = $1', [ws])).toEqual([]);
      expect(stalled.destroyed).toBe(true);
    } finally {
      await runner.stop();
    }
  });
  it('fails, instead of waiting for ever, when the rejected rows cannot be uploaded, and releases the list', async () => {
    const ws = uniqueWorkspace('rejects');
    const [list] = (await stack.ds.query(`insert into list (workspace_id, name) values ($1, 'Newsletter') returning id`, [ws])) as [{ id: string }];
    // Thousands of rows that are all rejected: far more than the rejected-rows writer holds while its upload is gone.
    const file = 'email,first_name\n' + Array.from({ length: 5000 }, (_, i) => `not-an-email-${i},Ada\n`).join('');
    const storage = Object.create(stack.storage, {
      download: { value: async () => Readable.from([file]) },
      upload: {
        value: async (_kind: string, _key: string, body: ReadableStream) => {
          body.destroy(new Error('storage refused the upload'));
          throw new Error('storage refused the upload');
        },
      },
    }) as ObjectStorage;
    const env = loadConfig(ContactsEnv, { ...stackEnv(), CONTACTS_IMPORT_TIMEOUT: '10m' });
    const imports = new ImportJob(stack.ds, storage, new ListSnapshots(stack.ds, storage, new BackupPolicy(createLogger('contacts', 'warn'))), env);
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
      const done = await jobEnded(stack, imports.definition, ws, job.id, { timeoutMs: 20_000 });
      expect(done).toMatchObject({ status: 'failed', error: { code: 'JOB_FAILED' } });
      const locked = await stack.ds.transaction(async (em) => {
        await em.query("set local lock_timeout = '1s'");
        return (await em.query('select id from list where id = $1 for update', [list.id])) as unknown[];
      });
      expect(locked).toHaveLength(1);
    } finally {
      await runner.stop();
    }
  });
  it('leaves no rejected-rows upload pending when the import fails after rejecting rows', async () => {
    const ws = uniqueWorkspace('abandon');
    const [list] = (await stack.ds.query(`insert into list (workspace_id, name) values ($1, 'Newsletter') returning id`, [ws])) as [{ id: string }];
    // A rejected row (no email), then a quote that never closes: the file fails after its rejected rows began.
    const file = 'email,first_name\n' + Array.from({ length: 5000 }, (_, i) => `not-an-email-${i},Ada\n`).join('') + 'bob@example.com,"Bob\n';
    const uploads: { key: string; ended: Promise<'finished' | 'abandoned'> }[] = [];
    const storage = Object.create(stack.storage, {
      download: { value: async () => Readable.from(file.match(/[^]{1,16384}/g)!) },
      upload: {
        value: (_kind: string, key: string, body: ReadableStream) => {
          const ended = new Promise<'finished' | 'abandoned'>((resolve) => {
            body.on('end', () => resolve('finished')).on('close', () => resolve(body.readableEnded ? 'finished' : 'abandoned'));
            body.resume();
          });
          uploads.push({ key, ended });
          return ended.then((how) => (how === 'finished' ? { key, bytes: 0, sha256: '' } : Promise.reject(new Error('upload abandoned'))));
        },
      },
    }) as ObjectStorage;
    const env = loadConfig(ContactsEnv, { ...stackEnv() });
    const imports = new ImportJob(stack.ds, storage, new ListSnapshots(stack.ds, storage, new BackupPolicy(createLogger('contacts', 'warn'))), env);
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
      const done = await jobEnded(stack, imports.definition, ws, job.id);
      expect(done).toMatchObject({ status: 'failed', error: { code: 'CSV_UNBALANCED_QUOTES' } });
      expect(uploads.map((u) => u.key)).toEqual([expect.stringContaining(`${job.id}-rejected`)]);
      expect(await waitFor(() => Promise.race([uploads[0]!.ended, new Promise<null>((r) => setImmediate(() => r(null)))]), { what: 'the upload to end' })).toBe(
        'abandoned',
      );
    } finally {
      await runner.stop();
    }
  });
});
