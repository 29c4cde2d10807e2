import { randomUUID } from 'node:crypto';
import { mediumStack, uniqueWorkspace, type MediumStack } from '@custodian/testing';
import { MIGRATIONS } from '../database/migrations.js';
import { ImportFileRemovals1763800000700 } from './007-import-file-removals.js';

describe('migration 007: the files of imports that ended before get a removal date', () => {
  let stack: MediumStack;

  beforeAll(async () => {
    stack = await mediumStack('contacts', MIGRATIONS.slice(0, MIGRATIONS.indexOf(ImportFileRemovals1763800000700)));
  });
  afterAll(async () => {
    await stack.close();
  });

  it("lists each ended import's upload and rows files, never a backup a restore read, due 7 days after its end", async () => {
    const ws = uniqueWorkspace('mig');
    const job = (status: string, params: object, result: object | null) =>
      stack.ds.query(
        `insert into job (id, workspace_id, kind, params, requested_by, status, result, finished_at, timeout_ms)
         values ($1, $2, 'import', $3, 'u1', $4, $5, case when $4 in ('queued', 'running') then null else timestamptz '2026-11-01T10:00:00Z' end, 60000)
         returning id`,
        [randomUUID(), ws, params, status, result],
      ) as Promise<{ id: string }[]>;
    const [[done], [restored], [failed]] = await Promise.all([
      job('succeeded', { objectKey: `${ws}/imports/a.csv` }, { rejectsKey: `${ws}/imports/a-rejected.csv` }),
      job('succeeded', { objectKey: `${ws}/backups/b.csv`, source: 'backups' }, {}),
      job('failed', { objectKey: `${ws}/imports/c.csv` }, null),
      job('running', { objectKey: `${ws}/imports/d.csv` }, null),
    ]);
    const runner = stack.ds.createQueryRunner();
    try {
      await runner.startTransaction();
      await new ImportFileRemovals1763800000700().up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    const rows = (await stack.ds.query('select job_id, keys, remove_after from import_file_removal where workspace_id = $1', [ws])) as {
      job_id: string;
      keys: string[];
      remove_after: Date;
    }[];
    const byJob = Object.fromEntries(rows.map((r) => [r.job_id, r]));
    expect(Object.keys(byJob).sort()).toEqual([done!.id, restored!.id, failed!.id].sort());
    expect(byJob[done!.id]).toEqual({
      job_id: done!.id,
      keys: [`${ws}/imports/a.csv`, `${ws}/imports/a-rejected.csv`],
      remove_after: new Date('2026-11-08T10:00:00Z'),
    });
    expect(byJob[restored!.id]!.keys).toEqual([]);
    expect(byJob[failed!.id]!.keys).toEqual([`${ws}/imports/c.csv`]);
  });
});
