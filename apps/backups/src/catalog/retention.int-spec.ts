import { randomUUID } from 'node:crypto';
import { defineJob } from '@custodian/jobs';
import { createLogger } from '@custodian/observability';
import { objectKey } from '@custodian/storage';
import { mediumStack, objectKeys, putObject, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import { BackupsEnv } from '../config.js';
import { MIGRATIONS } from '../migrations.js';
import { RESTORE_JOB_KIND } from '../restore/restore-job.js';
import { RetentionSweeper } from './retention.js';

describe('the backups retention sweeper, on the real database and S3 server', () => {
  let stack: MediumStack;
  let sweeper: RetentionSweeper;

  beforeAll(async () => {
    stack = await mediumStack('backups', MIGRATIONS, ['backups']);
    sweeper = new RetentionSweeper(stack.ds, stack.storage, new BackupsEnv(), createLogger('backups', 'silent'));
  });
  afterAll(async () => {
    await stack.close();
  });

  /** A backup whose retention ended yesterday, with its file. */
  async function expiredBackup(ws: string): Promise<{ id: string; key: string }> {
    const id = randomUUID();
    const key = objectKey(ws, 'backups', id, 'csv');
    const stored = await putObject(stack, 'backups', key, 'email\na@example.com\n');
    await stack.ds.query(
      `insert into backup (id, workspace_id, list_id, list_name, reason, requested_by, cause_origin, bucket, object_key, rows, bytes, sha256, created_at, expires_at)
      values ($1, $2, $3, 'Newsletter', 'import', 'importer', 'app', $4, $5, 1, $6, $7, now() - interval '31 days', now() - interval '1 day')`,
      [id, ws, randomUUID(), stack.storage.bucket('backups'), key, stored.bytes, stored.sha256],
    );
    return { id, key };
  }

  const stillThere = async (ws: string, id: string) => [
    ((await stack.ds.query('select 1 from backup where id = $1', [id])) as unknown[]).length === 1,
    (await objectKeys(stack, 'backups', `${ws}/`)).length === 1,
  ];

  it('keeps an expired backup while a queued or running restore needs it, and removes it once that restore has ended', async () => {
    const ws = uniqueWorkspace('ret');
    const needed = await expiredBackup(ws);
    const other = uniqueWorkspace('ret');
    const unneeded = await expiredBackup(other);
    const restore = defineJob<{ backupId: string }>({ kind: RESTORE_JOB_KIND, run: async () => ({}) });
    const { job } = await stack.ds.transaction((em) =>
      stack.jobs.enqueue(em, restore, { workspaceId: ws, requestedBy: 'admin-1', params: { backupId: needed.id } }),
    );

    await sweeper.sweep();
    expect(await stillThere(ws, needed.id)).toEqual([true, true]);
    expect(await stillThere(other, unneeded.id)).toEqual([false, false]);
    await stack.ds.query("update job set status = 'running' where id = $1", [job.id]);
    await sweeper.sweep();
    expect(await stillThere(ws, needed.id)).toEqual([true, true]);

    await stack.ds.query("update job set status = 'succeeded', finished_at = now() where id = $1", [job.id]);
    await sweeper.sweep();
    expect(await stillThere(ws, needed.id)).toEqual([false, false]);
    expect(await stack.ds.query('select id from expired_backup where id = $1', [needed.id])).toEqual([{ id: needed.id }]);
  });
});
