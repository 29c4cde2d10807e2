#!/usr/bin/env node
// Import benchmark: a CSV of N contacts imported in upsert mode into a list that already holds
// half of them, through the real service, against a baseline measured in the same run:
// `psql \copy` of the same file into a staging table plus one INSERT ... ON CONFLICT.
// Prints both times, the ratio and the contacts process's peak RSS, for N and N/4 rows.
//
//   npm run bench:import [-- --rows 1000000]
//
// Needs the local stack (PostgreSQL, NATS, S3) up, e.g. `npm run stack -- infra` in another shell,
// and a build (`npm run build`).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { localDefaults } from '../../deploy/local/defaults.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const N = Number(values.rows);
const cfg = localDefaults(process.env);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? cfg.env.DATABASE_URL.replace(/\/[^/]+$/, '/custodian_bench');
const dir = mkdtempSync(join(tmpdir(), 'custodian-bench-'));

function log(msg) { process.stdout.write(`[bench] ${msg}\n`); }

async function writeCsv(path, from, to) {
  const out = createWriteStream(path);
  out.write('email,firstName,lastName,city\n');
  for (let i = from; i < to; i += 1) {
    if (!out.write(`bench-${i}@example.com,First${i},Last${i},City ${i % 500}\n`)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

async function ensureDatabase() {
  const admin = new pg.Client({ connectionString: databaseUrl.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  const name = databaseUrl.split('/').pop();
  // A fresh database each run, so the service's tables hold what the baseline's hold.
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  await admin.end();
}

function freePort() {
  return new Promise((r) => { import('node:net').then(({ createServer }) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => r(port)); }); }); });
}

async function waitHttp(url, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try { if ((await fetch(url)).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}

/** A NATS server of the benchmark's own, so no other running system answers its commands. */
async function startNats() {
  const port = await freePort();
  const bin = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p)) ?? 'nats-server';
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'nats')], { stdio: 'ignore' });
  const { createConnection } = await import('node:net');
  for (let i = 0; i < 100; i += 1) {
    const ok = await new Promise((r) => { const c = createConnection({ host: '127.0.0.1', port }); c.once('connect', () => { c.destroy(); r(true); }); c.once('error', () => r(false)); });
    if (ok) return { child, url: `nats://127.0.0.1:${port}` };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nats-server did not start');
}

async function startSystem() {
  const nats = await startNats();
  const contactsPort = await freePort();
  const gatewayPort = await freePort();
  const env = { ...process.env, ...cfg.env, DATABASE_URL: databaseUrl, NATS_SERVERS: nats.url, LOG_LEVEL: 'warn', CONTACTS_HTTP_PORT: String(contactsPort), GATEWAY_PORT: String(gatewayPort),
    GATEWAY_UPLOAD_LIMIT_BYTES: String(4 * 1024 ** 3), CONTACTS_JOB_CONCURRENCY: '1' };
  const contacts = spawn(process.execPath, [join(root, 'apps/contacts/dist/main.js')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const gateway = spawn(process.execPath, [join(root, 'apps/gateway/dist/main.js')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  await waitHttp(`http://127.0.0.1:${contactsPort}/health/ready`);
  await waitHttp(`http://127.0.0.1:${gatewayPort}/health/ready`);
  const token = spawnSync(process.execPath, [join(root, 'apps/gateway/dist/cli/mint-token.js'), '--workspace', `bench${Date.now().toString(36)}`, '--client', 'api'], { env, encoding: 'utf8' }).stdout.trim();
  return { contacts, gateway, nats: nats.child, url: `http://127.0.0.1:${gatewayPort}`, token };
}

/** Peak resident set size of a process so far (Linux VmHWM), in MB. */
function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function importFile(sys, listId, path) {
  const { createReadStream, statSync } = await import('node:fs');
  const res = await fetch(`${sys.url}/v1/imports?listId=${listId}&mode=upsert`, {
    method: 'POST', body: createReadStream(path), duplex: 'half',
    headers: { authorization: `Bearer ${sys.token}`, 'content-type': 'text/csv', 'content-length': String(statSync(path).size) },
  });
  if (res.status !== 202) throw new Error(`import refused: ${res.status} ${await res.text()}`);
  const { id } = await res.json();
  for (;;) {
    const job = await (await fetch(`${sys.url}/v1/imports/${id}`, { headers: { authorization: `Bearer ${sys.token}` } })).json();
    if (job.status === 'succeeded') return job;
    if (!['queued', 'running'].includes(job.status)) throw new Error(`import ${job.status}: ${JSON.stringify(job.error)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function serviceRun(rows) {
  const half = join(dir, `half-${rows}.csv`);
  const full = join(dir, `full-${rows}.csv`);
  await writeCsv(half, 0, rows / 2);
  await writeCsv(full, 0, rows);
  const sys = await startSystem();
  try {
    const listId = (await (await fetch(`${sys.url}/v1/lists`, { method: 'POST', body: JSON.stringify({ name: `bench ${rows}` }),
      headers: { authorization: `Bearer ${sys.token}`, 'content-type': 'application/json' } })).json()).id;
    await importFile(sys, listId, half);
    const started = performance.now();
    const job = await importFile(sys, listId, full);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, rss: peakRssMb(sys.contacts.pid), result: job.result };
  } finally {
    await Promise.all([sys.contacts, sys.gateway].map((c) => new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); })));
    sys.nats.kill('SIGTERM');
  }
}

async function baselineRun(rows) {
  const half = join(dir, `half-${rows}.csv`);
  const full = join(dir, `full-${rows}.csv`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  // The baseline writes into a table shaped exactly like the service's contact table (same indexes).
  await client.query(`drop schema if exists bench_baseline cascade; create schema bench_baseline;
    create table bench_baseline.contact (like contacts.contact including all);
    create table bench_baseline.stage (email text, first_name text, last_name text, city text);`);
  const upsert = `insert into bench_baseline.contact (workspace_id, email, first_name, last_name, fields)
    select 'w', email, first_name, last_name, jsonb_build_object('city', city) from bench_baseline.stage
    on conflict (workspace_id, lower(email)) do update set first_name = excluded.first_name, last_name = excluded.last_name,
      fields = bench_baseline.contact.fields || excluded.fields, updated_at = now()`;
  const psql = (sql) => {
    const r = spawnSync('psql', [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  };
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
  await ensureDatabase();
  log(`database ${databaseUrl}; each run imports a file into a list that already holds half of its rows`);
  // Two sizes: peak RSS must not grow with the row count.
  for (const rows of [Math.floor(N / 8) * 2, N]) {
    const service = await serviceRun(rows);
    const baseline = await baselineRun(rows);
    log(`${rows} rows: service ${service.seconds.toFixed(2)} s, baseline (psql \\copy + INSERT ON CONFLICT) ${baseline.seconds.toFixed(2)} s, `
      + `ratio ${(service.seconds / baseline.seconds).toFixed(2)}x, contacts peak RSS ${service.rss.toFixed(0)} MB `
      + `(created ${service.result.created}, updated ${service.result.updated}, unchanged ${service.result.unchanged})`);
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => { process.stderr.write(`${err.stack ?? err}\n`); rmSync(dir, { recursive: true, force: true }); process.exit(1); });
