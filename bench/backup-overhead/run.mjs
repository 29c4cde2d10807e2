#!/usr/bin/env node
// Backup overhead: a back-office import of N rows (half already members, half new) into a list of
// N members, once with automatic backups on (contacts first writes the list, N members, to the
// backups bucket) and once with them off, in the same run. Each run has a workspace of its own,
// prepared the same way, so both do the same work but the backup. Prints both times and the ratio.
//
//   npm run bench:backup-overhead [-- --rows 1000000]
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createList, dir, freshDatabase, importFile, log, startSystem, writeCsv, runBench } from '../lib/bench.mjs';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const N = Number(values.rows);

/** Turns automatic backups off for a workspace, as the backups service does. */
async function backupsOff(natsUrl, workspaceId) {
  const nc = await connect({ servers: natsUrl });
  const id = randomUUID();
  await jetstream(nc).publish(
    'events.backups.policy.changed.v1',
    JSON.stringify({
      id,
      type: 'backups.policy.changed',
      version: 1,
      occurredAt: new Date().toISOString(),
      workspaceId,
      actor: { id: 'bench' },
      origin: 'system',
      correlationId: id,
      data: { automaticBackups: false, excludedListIds: [], updatedAt: new Date().toISOString() },
    }),
    { msgID: id },
  );
  await nc.close();
}

async function main() {
  await freshDatabase();
  const preload = await writeCsv(join(dir, 'preload.csv'), 0, N);
  const file = await writeCsv(join(dir, 'import.csv'), N / 2, N + N / 2, 'x');
  const sys = await startSystem();
  try {
    const results = {};
    for (const mode of ['off', 'on']) {
      const workspace = `bench-${mode}-${Date.now().toString(36)}`;
      const listId = await createList(sys, sys.token(workspace, 'api'), `bench ${mode}`);
      await importFile(sys, sys.token(workspace, 'api'), listId, preload);
      if (mode === 'off') await backupsOff(sys.natsUrl, workspace);
      const app = sys.token(workspace, 'app');
      const started = performance.now();
      const job = await importFile(sys, app, listId, file);
      results[mode] = (performance.now() - started) / 1000;
      const backedUp = job.result.snapshotId !== null;
      if (backedUp !== (mode === 'on')) throw new Error(`expected ${mode === 'on' ? 'a' : 'no'} backup, got snapshot ${job.result.snapshotId}`);
      log(
        `backups ${mode}: ${results[mode].toFixed(2)} s (created ${job.result.created}, updated ${job.result.updated}, backup ${backedUp ? 'taken' : 'none'})`,
      );
    }
    log(
      `${N} rows into a list of ${N} members: with backup ${results.on.toFixed(2)} s, without ${results.off.toFixed(2)} s, ratio ${(results.on / results.off).toFixed(2)}x`,
    );
  } finally {
    await sys.stop();
  }
}

runBench(main);
