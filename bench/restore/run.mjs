#!/usr/bin/env node
// Restore benchmark: N archived contacts (each on 2 lists with 3 tags) restored through the archive
// service, against a baseline in the same run: `psql \copy` of the same rows into the same live
// tables (contacts, memberships, tags). Prints both throughputs, the ratio and peak RSS.
//
//   npm run bench:restore [-- --rows 100000]
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { dir, freshDatabase, log, peakRssMb, psql, startSystem, runBench, api } from '../lib/bench.mjs';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const N = Number(values.rows);

async function writeLines(path, count, line) {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i += 1) if (!out.write(line(i))) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
  return path;
}

async function main() {
  await freshDatabase();
  process.env.ARCHIVE_FROZEN_FOR = '1ms';
  const sys = await startSystem(['archive']);
  try {
    const workspace = `bench-restore-${Date.now().toString(36)}`;
    const token = sys.token(workspace, 'app');
    const lists = [await api(sys, token, 'POST', '/v1/lists', { name: 'A' }), await api(sys, token, 'POST', '/v1/lists', { name: 'B' })];
    const tags = [];
    for (const name of ['t1', 't2', 't3']) tags.push(await api(sys, token, 'POST', '/v1/tags', { name }));
    const ids = Array.from({ length: N }, () => randomUUID());
    const created = '2025-01-01T00:00:00.000Z';
    const archivedAt = new Date(Date.now() - 40 * 86_400_000).toISOString();

    // The archive as contacts would have filled it: one row per archived contact with its snapshot.
    const archived = await writeLines(join(dir, 'archived.tsv'), N, (i) => {
      const snapshot = {
        contactId: ids[i],
        email: `r${i}@example.com`,
        firstName: `F${i}`,
        lastName: null,
        fields: { city: `C${i % 50}` },
        createdAt: created,
        memberships: lists.map((l, k) => ({ listId: l.id, listName: l.name, status: k ? 'unsubscribed' : 'subscribed' })),
        tags: tags.map((t) => ({ tagId: t.id, name: t.name })),
        accounts: [],
        deals: [],
      };
      return `${ids[i]}\t${workspace}\tr${i}@example.com\tF${i}\t\\N\t${JSON.stringify(snapshot)}\t{${lists.map((l) => l.id).join(',')}}\t{t1,t2,t3}\t${archivedAt}\tbench\n`;
    });
    psql(
      `\\copy archive.archived_contact (contact_id, workspace_id, email, first_name, last_name, snapshot, list_ids, tag_names, archived_at, archived_by) from '${archived}'`,
    );

    const started = performance.now();
    const job = await api(sys, token, 'POST', '/v1/archive/restores', { filter: {} });
    const accepted = (performance.now() - started) / 1000;
    if (!job.id) throw new Error(`restore refused: ${JSON.stringify(job)}`);
    let done;
    for (;;) {
      done = await api(sys, token, 'GET', `/v1/archive/restores/${job.id}`);
      if (!['queued', 'running'].includes(done.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    if (done.status !== 'succeeded' || done.result.restored !== N)
      throw new Error(`restore ended ${done.status}: ${JSON.stringify(done.result ?? done.error)}`);
    const jobSeconds = (Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000;
    const rss = { archive: peakRssMb(sys.pid('archive')), contacts: peakRssMb(sys.pid('contacts')) };

    // The services' last events published, so the baseline has the machine to itself.
    while (psql('select count(*) from contacts.outbox where published_at is null') !== '0') await new Promise((r) => setTimeout(r, 200));

    // Baseline: the same rows, \copy'd into the same live tables (their indexes and foreign keys
    // included), for a workspace of their own.
    const baseIds = Array.from({ length: N }, () => randomUUID());
    const contacts = await writeLines(
      join(dir, 'contacts.tsv'),
      N,
      (i) => `${baseIds[i]}\tbaseline-${workspace}\tr${i}@example.com\tF${i}\t\\N\t{"city":"C${i % 50}"}\t${created}\n`,
    );
    const memberships = await writeLines(
      join(dir, 'memberships.tsv'),
      N * 2,
      (i) => `baseline-${workspace}\t${lists[i % 2].id}\t${baseIds[i >> 1]}\t${i % 2 ? 'unsubscribed' : 'subscribed'}\n`,
    );
    const contactTags = await writeLines(join(dir, 'tags.tsv'), N * 3, (i) => `${baseIds[Math.floor(i / 3)]}\t${tags[i % 3].id}\n`);
    const baseStarted = performance.now();
    psql(`\\copy contacts.contact (id, workspace_id, email, first_name, last_name, fields, created_at) from '${contacts}'`);
    psql(`\\copy contacts.membership (workspace_id, list_id, contact_id, status) from '${memberships}'`);
    psql(`\\copy contacts.contact_tag (contact_id, tag_id) from '${contactTags}'`);
    const baseSeconds = (performance.now() - baseStarted) / 1000;

    const service = N / seconds;
    const baseline = N / baseSeconds;
    log(
      `${N} contacts (2 lists, 3 tags each): restore ${seconds.toFixed(2)} s = ${service.toFixed(0)} contacts/s; ` +
        `baseline psql \\copy ${baseSeconds.toFixed(2)} s = ${baseline.toFixed(0)} contacts/s; ratio ${((100 * service) / baseline).toFixed(1)}% ` +
        `(target 25%); request validated in ${accepted.toFixed(2)} s, job ran ${jobSeconds.toFixed(2)} s; peak RSS archive ${rss.archive.toFixed(0)} MB, contacts ${rss.contacts.toFixed(0)} MB`,
    );
  } finally {
    await sys.stop();
  }
}

runBench(main);
