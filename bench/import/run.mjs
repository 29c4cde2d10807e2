#!/usr/bin/env node
// Import benchmark: a CSV of N contacts imported in upsert mode into a list that already holds
// half of them, through the real service, against a baseline measured in the same run:
// `psql \copy` of the same file into a staging table plus one INSERT ... ON CONFLICT into a table
// shaped exactly like the service's contact table. Prints both times, the ratio and the contacts
// process's peak RSS, for N/4 and N rows (RSS must not grow with the row count).
//
//   npm run bench:import [-- --rows 1000000]
//
// Needs PostgreSQL, the S3 server and nats-server (e.g. `npm run stack -- infra`) and a build.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createList, databaseUrl, dir, freshDatabase, importFile, log, peakRssMb, psql, startSystem, writeCsv, runBench } from '../lib/bench.mjs';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const N = Number(values.rows);

async function serviceRun(rows) {
  const half = await writeCsv(join(dir, `half-${rows}.csv`), 0, rows / 2);
  const full = await writeCsv(join(dir, `full-${rows}.csv`), 0, rows);
  const sys = await startSystem();
  try {
    const token = sys.token(`bench${Date.now().toString(36)}`, 'api');
    const listId = await createList(sys, token, `bench ${rows}`);
    await importFile(sys, token, listId, half);
    const started = performance.now();
    const job = await importFile(sys, token, listId, full);
    return { seconds: (performance.now() - started) / 1000, rss: peakRssMb(sys.pid('contacts')), result: job.result };
  } finally {
    await sys.stop();
  }
}

async function baselineRun(rows) {
  const half = join(dir, `half-${rows}.csv`);
  const full = join(dir, `full-${rows}.csv`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`drop schema if exists bench_baseline cascade; create schema bench_baseline;
    create table bench_baseline.contact (like contacts.contact including all);
    create table bench_baseline.stage (email text, first_name text, last_name text, city text);`);
  const upsert = `insert into bench_baseline.contact (workspace_id, email, first_name, last_name, fields)
    select 'w', email, first_name, last_name, jsonb_build_object('city', city) from bench_baseline.stage
    on conflict (workspace_id, lower(email)) do update set first_name = excluded.first_name, last_name = excluded.last_name,
      fields = bench_baseline.contact.fields || excluded.fields, updated_at = now()`;
  psql(`\\copy bench_baseline.stage from '${half}' with (format csv, header true)`);
  await client.query(upsert);
  await client.query('truncate bench_baseline.stage');
  const started = performance.now();
  psql(`\\copy bench_baseline.stage from '${full}' with (format csv, header true)`);
  await client.query(upsert);
  const seconds = (performance.now() - started) / 1000;
  await client.query('drop schema bench_baseline cascade');
  await client.end();
  return { seconds };
}

async function main() {
  await freshDatabase();
  log(`database ${databaseUrl}; each run imports a file into a list that already holds half of its rows`);
  for (const rows of [Math.floor(N / 8) * 2, N]) {
    const service = await serviceRun(rows);
    const baseline = await baselineRun(rows);
    log(
      `${rows} rows: service ${service.seconds.toFixed(2)} s, baseline (psql \\copy + INSERT ON CONFLICT) ${baseline.seconds.toFixed(2)} s, ` +
        `ratio ${(service.seconds / baseline.seconds).toFixed(2)}x, contacts peak RSS ${service.rss.toFixed(0)} MB ` +
        `(created ${service.result.created}, updated ${service.result.updated}, unchanged ${service.result.unchanged})`,
    );
  }
}

runBench(main);
