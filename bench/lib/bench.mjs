// Shared pieces of the benchmarks: a fresh database, a NATS server of their own, the services
// started from their build, CSV files made on the fly, imports through the gateway.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { localDefaults } from '../../deploy/local/defaults.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const cfg = localDefaults(process.env);
export const databaseUrl = process.env.BENCH_DATABASE_URL ?? cfg.env.DATABASE_URL.replace(/\/[^/]+$/, '/custodian_bench');
export const dir = mkdtempSync(join(tmpdir(), 'custodian-bench-'));

export function log(msg) {
  process.stdout.write(`[bench] ${msg}\n`);
}

/** email,firstName,lastName,city for contacts from..to-1; `tag` varies the names. */
export async function writeCsv(path, from, to, tag = '') {
  const out = createWriteStream(path);
  out.write('email,firstName,lastName,city\n');
  for (let i = from; i < to; i += 1) {
    if (!out.write(`bench-${i}@example.com,First${i}${tag},Last${i},City ${i % 500}\n`)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return path;
}

/** A fresh database each run, so the services' tables hold only what the run put there. */
export async function freshDatabase() {
  const admin = new pg.Client({ connectionString: databaseUrl.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  const name = databaseUrl.split('/').pop();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  await admin.end();
}

/** A free port below the kernel's ephemeral range, so no outgoing connection takes it before the service binds. */
export async function freePort() {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise((r) => {
      const s = createServer();
      s.once('error', () => r(false));
      s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
    });
    if (free) return port;
  }
}

async function waitHttp(url, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}

/** A NATS server of the benchmark's own, so no other running system answers its commands. */
async function startNats() {
  const port = await freePort();
  const bin = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p)) ?? 'nats-server';
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, `nats-${port}`)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i += 1) {
    const ok = await new Promise((r) => {
      const c = createConnection({ host: '127.0.0.1', port });
      c.once('connect', () => {
        c.destroy();
        r(true);
      });
      c.once('error', () => r(false));
    });
    if (ok) return { child, url: `nats://127.0.0.1:${port}` };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nats-server did not start');
}

/** contacts and the gateway (plus `apps`), against the bench database and a private NATS. */
export async function startSystem(apps = []) {
  const nats = await startNats();
  const env = {
    ...process.env,
    ...cfg.env,
    DATABASE_URL: databaseUrl,
    NATS_SERVERS: nats.url,
    LOG_LEVEL: 'warn',
    GATEWAY_UPLOAD_LIMIT_BYTES: String(4 * 1024 ** 3),
    CONTACTS_JOB_CONCURRENCY: '1',
  };
  const children = {};
  for (const app of ['contacts', ...apps, 'gateway']) {
    const port = await freePort();
    env[app === 'gateway' ? 'GATEWAY_PORT' : `${app.toUpperCase()}_HTTP_PORT`] = String(port);
    children[app] = {
      child: spawn(process.execPath, [join(root, `apps/${app}/dist/main.js`)], { env: { ...env }, stdio: ['ignore', 'inherit', 'inherit'] }),
      port,
    };
    await waitHttp(`http://127.0.0.1:${port}/health/ready`);
  }
  const token = (workspace, client) =>
    spawnSync(process.execPath, [join(root, 'apps/gateway/dist/cli/mint-token.js'), '--workspace', workspace, '--client', client], {
      env,
      encoding: 'utf8',
    }).stdout.trim();
  return {
    url: `http://127.0.0.1:${children.gateway.port}`,
    natsUrl: nats.url,
    token,
    pid: (app) => children[app].child.pid,
    /** Stops one service (SIGTERM, waits for its exit). */
    async stopApp(app) {
      const { child } = children[app];
      await new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      });
    },
    /** Starts a stopped service again on its port and waits until it is ready. */
    async startApp(app) {
      const { port } = children[app];
      children[app] = {
        child: spawn(process.execPath, [join(root, `apps/${app}/dist/main.js`)], { env: { ...env }, stdio: ['ignore', 'inherit', 'inherit'] }),
        port,
      };
      await waitHttp(`http://127.0.0.1:${port}/health/ready`);
    },
    async stop() {
      await Promise.all(
        Object.values(children)
          .filter(({ child }) => child.exitCode === null && child.signalCode === null)
          .map(
            ({ child }) =>
              new Promise((r) => {
                child.once('exit', r);
                child.kill('SIGTERM');
              }),
          ),
      );
      nats.child.kill('SIGTERM');
    },
  };
}

export async function createList(sys, token, name) {
  const res = await fetch(`${sys.url}/v1/lists`, {
    method: 'POST',
    body: JSON.stringify({ name }),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  return (await res.json()).id;
}

/** Uploads a CSV and waits for its import job; returns the job. */
export async function importFile(sys, token, listId, path) {
  const res = await fetch(`${sys.url}/v1/imports?listId=${listId}&mode=upsert`, {
    method: 'POST',
    body: createReadStream(path),
    duplex: 'half',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': String(statSync(path).size) },
  });
  if (res.status !== 202) throw new Error(`import refused: ${res.status} ${await res.text()}`);
  const { id } = await res.json();
  for (;;) {
    const job = await (await fetch(`${sys.url}/v1/imports/${id}`, { headers: { authorization: `Bearer ${token}` } })).json();
    if (job.status === 'succeeded') return job;
    if (!['queued', 'running'].includes(job.status)) throw new Error(`import ${job.status}: ${JSON.stringify(job.error)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Peak resident set size of a process so far (Linux VmHWM), in MB. */
export function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

/** Runs one psql command against the benchmark database; returns what it printed (unaligned, tuples only). */
export function psql(sql) {
  const r = spawnSync('psql', [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-At', '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

/** A JSON request to the gateway of a started system, with a bearer token; answers the parsed body. */
export async function api(sys, token, method, path, body) {
  const res = await fetch(`${sys.url}${path}`, {
    method,
    body: body && JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  return res.json();
}

/** Runs a benchmark's main: a failure is printed and sets the exit code; the scratch folder goes either way. */
export function runBench(main) {
  main()
    .catch((err) => {
      process.stderr.write(`${err.stack ?? err}\n`);
      process.exitCode = 1;
    })
    .finally(() => rmSync(dir, { recursive: true, force: true }));
}
