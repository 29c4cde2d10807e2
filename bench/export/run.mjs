#!/usr/bin/env node
// Export benchmark: N contacts (2 lists and 3 tags each) exported through the API to a
// downloadable file, against the baseline in the same run: `psql \copy (select ...) to` a CSV of
// the same rows, then an upload of that file to the same S3 server. Prints both times, the ratio
// and the peak RSS of the exports and contacts services.
//
//   npm run bench:export [-- --rows 1000000]
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { cfg, dir, freshDatabase, log, peakRssMb, psql, root, startSystem, runBench, api } from '../lib/bench.mjs';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const N = Number(values.rows);
const { ObjectStorage, parseStorageConfig } = await import(join(root, 'packages/storage/dist/index.js'));

async function main() {
  await freshDatabase();
  const sys = await startSystem(['exports']);
  try {
    const workspace = `bench-exp-${Date.now().toString(36)}`;
    const token = sys.token(workspace, 'app');
    // The workspace: N contacts, each in 2 lists and with 3 tags, written by SQL.
    let t = performance.now();
    psql(`insert into contacts.list (workspace_id, name) select '${workspace}', 'List ' || i from generate_series(1, 2) i;
      insert into contacts.tag (workspace_id, name) select '${workspace}', 'tag-' || i from generate_series(1, 3) i;
      insert into contacts.contact (workspace_id, email, first_name, last_name, fields)
        select '${workspace}', 'contact' || i || '@example.com', 'First ' || i, 'Last ' || i, jsonb_build_object('city', 'City ' || (i % 100))
        from generate_series(1, ${N}) i;
      insert into contacts.membership (workspace_id, list_id, contact_id, status)
        select '${workspace}', l.id, c.id, case when l.name = 'List 1' then 'subscribed' else 'unsubscribed' end
        from contacts.contact c cross join contacts.list l where c.workspace_id = '${workspace}' and l.workspace_id = '${workspace}';
      insert into contacts.contact_tag (contact_id, tag_id)
        select c.id, g.id from contacts.contact c cross join contacts.tag g where c.workspace_id = '${workspace}' and g.workspace_id = '${workspace}';`);
    // Vacuumed now, so autovacuum does not run during one measurement and not the other.
    psql('vacuum (analyze) contacts.contact, contacts.membership, contacts.contact_tag, contacts.list, contacts.tag');
    log(`seeded ${N} contacts with 2 lists and 3 tags each in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // Through the API, until the file is downloadable.
    t = performance.now();
    const requested = await api(sys, token, 'POST', '/v1/exports', { dataset: 'contacts' });
    if (!requested.id) throw new Error(`export refused: ${JSON.stringify(requested)}`);
    let view;
    for (;;) {
      view = await api(sys, token, 'GET', `/v1/exports/${requested.id}`);
      if (!['queued', 'running'].includes(view.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const exportSeconds = (performance.now() - t) / 1000;
    if (view.status !== 'succeeded' || view.rows !== N) throw new Error(`export ended ${view.status}: ${JSON.stringify(view.error ?? view)}`);
    const rssExports = peakRssMb(sys.pid('exports'));
    const rssContacts = peakRssMb(sys.pid('contacts'));

    // Baseline: the same rows and columns with psql \copy to a file, then the file uploaded to the same S3 server.
    const file = join(dir, 'contacts.csv');
    const ws = `'${workspace}'`;
    t = performance.now();
    psql(`\\copy (select c.id, c.email, c.first_name, c.last_name, to_char(c.created_at, 'YYYY-MM-DD"T"HH24:MI:SSOF'), to_char(c.updated_at, 'YYYY-MM-DD"T"HH24:MI:SSOF'),
        (select string_agg(t.name, ';' order by lower(t.name)) from contacts.contact_tag ct join contacts.tag t on t.id = ct.tag_id where ct.contact_id = c.id),
        (select string_agg(l.name || ':' || m.status, ';' order by lower(l.name)) from contacts.membership m join contacts.list l on l.id = m.list_id where m.contact_id = c.id),
        c.fields ->> 'city'
      from contacts.contact c where c.workspace_id = ${ws} order by c.created_at, c.id) to '${file}' with (format csv, header true)`);
    const copySeconds = (performance.now() - t) / 1000;
    const storage = new ObjectStorage(parseStorageConfig({ ...cfg.env }));
    const u = performance.now();
    await storage.upload('exports', `${workspace}/exports/2026/01/01/baseline.csv`, createReadStream(file), { contentType: 'text/csv' });
    const uploadSeconds = (performance.now() - u) / 1000;
    const baselineSeconds = (performance.now() - t) / 1000;
    const baselineBytes = statSync(file).size;

    log(
      `export through the API: ${N} contacts, ${(view.bytes / 1e6).toFixed(1)} MB, ${exportSeconds.toFixed(2)} s = ${(N / exportSeconds).toFixed(0)} rows/s (request to downloadable)`,
    );
    log(
      `baseline: psql \\copy ${copySeconds.toFixed(2)} s + upload ${uploadSeconds.toFixed(2)} s = ${baselineSeconds.toFixed(2)} s (${(baselineBytes / 1e6).toFixed(1)} MB)`,
    );
    log(`ratio: export takes ${(exportSeconds / baselineSeconds).toFixed(2)}x the baseline's time (target at most 1.5x)`);
    log(`peak RSS: exports ${rssExports.toFixed(0)} MB (target under 200 MB), contacts ${rssContacts.toFixed(0)} MB`);
  } finally {
    await sys.stop();
  }
}

runBench(main);
