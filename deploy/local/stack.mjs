#!/usr/bin/env node
// The local stack without containers.
//   stack up    PostgreSQL, NATS JetStream, the S3 server and the SFTP and WebDAV servers that
//               exports deliver to (reused when already listening, otherwise installed and started
//               under .local/), then every service and the gateway.
//   stack test  the same infrastructure, then type-check, lint, unit, integration and e2e tests.
//   stack infra only the infrastructure, until Ctrl-C.
// Ctrl-C (or the end of the tests) stops what this script started and nothing else.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localDefaults, APPS } from './defaults.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = join(root, '.local');
const started = [];
const log = (msg) => process.stdout.write(`[stack] ${msg}\n`);

function portOpen(host, port, timeoutMs = 500) {
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    const finish = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

async function waitForPort(name, host, port, deadlineMs = 30_000) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await portOpen(host, port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not open ${host}:${port} within ${deadlineMs} ms`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

let aptUpdated = false;
function aptInstall(...packages) {
  log(`installing Debian packages: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
}

function startProcess(name, cmd, args, options = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  started.push({ name, child });
  child.once('exit', (code, signal) => {
    if (!stopping) log(`${name} exited (${signal ?? code})`);
  });
  return child;
}

function pgBinDir() {
  const base = '/usr/lib/postgresql';
  const out = spawnSync('sh', ['-c', `ls -1 ${base} 2>/dev/null | sort -n | tail -1`], { encoding: 'utf8' });
  const version = out.stdout.trim();
  return version ? join(base, version, 'bin') : null;
}

async function ensurePostgres(cfg) {
  if (await portOpen(cfg.pgHost, cfg.pgPort)) {
    log(`PostgreSQL: reusing ${cfg.pgHost}:${cfg.pgPort}`);
  } else {
    let bin = pgBinDir();
    if (!bin) {
      aptInstall('postgresql');
      bin = pgBinDir();
    }
    const dir = join(dataDir, 'postgres');
    // initdb and postgres refuse to run as root: the data folder belongs to the postgres user.
    const asPg = (args) => execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'inherit' });
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      mkdirSync(dir, { recursive: true });
      execFileSync('chown', ['-R', 'postgres:postgres', dir]);
      asPg([join(bin, 'initdb'), '-D', dir, '--auth=trust', '-U', 'postgres', '--encoding=UTF8']);
    }
    log(`PostgreSQL: starting ${cfg.pgHost}:${cfg.pgPort} in ${dir}`);
    startProcess('postgres', 'runuser', [
      '-u',
      'postgres',
      '--',
      join(bin, 'postgres'),
      '-D',
      dir,
      '-c',
      `listen_addresses=${cfg.pgHost}`,
      '-c',
      `port=${cfg.pgPort}`,
      '-c',
      `unix_socket_directories=${dir}`,
    ]);
    await waitForPort('PostgreSQL', cfg.pgHost, cfg.pgPort);
  }
  const pg = (await import('pg')).default;
  for (const database of cfg.databases) {
    const until = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ host: cfg.pgHost, port: cfg.pgPort, user: cfg.pgUser, database: 'postgres' });
      try {
        await client.connect();
        const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
        if (!rowCount) {
          await client.query(`create database "${database}"`);
          log(`PostgreSQL: created database ${database}`);
        }
        break;
      } catch (err) {
        // The server may still be starting (57P03); anything else is a real failure.
        if (err.code !== '57P03' || Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        await client.end().catch(() => {});
      }
    }
  }
}

async function ensureNats(cfg) {
  if (await portOpen(cfg.natsHost, cfg.natsPort)) {
    log(`NATS: reusing ${cfg.natsHost}:${cfg.natsPort}`);
  } else {
    if (!has('nats-server') && !existsSync('/usr/sbin/nats-server')) aptInstall('nats-server');
    const bin = has('nats-server') ? 'nats-server' : '/usr/sbin/nats-server';
    const dir = join(dataDir, 'nats');
    mkdirSync(dir, { recursive: true });
    log(`NATS: starting ${cfg.natsHost}:${cfg.natsPort} with JetStream in ${dir}`);
    startProcess('nats', bin, ['-a', cfg.natsHost, '-p', String(cfg.natsPort), '-js', '-sd', dir]);
    await waitForPort('NATS', cfg.natsHost, cfg.natsPort);
  }
  // A reused server must have JetStream: events depend on it.
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: `${cfg.natsHost}:${cfg.natsPort}` });
  try {
    await jetstreamManager(nc);
  } catch (err) {
    throw new Error(`NATS at ${cfg.natsHost}:${cfg.natsPort} has no JetStream enabled (start it with -js): ${err.message}`, { cause: err });
  } finally {
    await nc.close();
  }
}

async function ensureS3(cfg) {
  if (await portOpen(cfg.s3Host, cfg.s3Port)) {
    log(`S3: reusing ${cfg.s3Host}:${cfg.s3Port}`);
    return;
  }
  const dir = join(dataDir, 's3');
  mkdirSync(dir, { recursive: true });
  log(`S3: starting ${cfg.s3Host}:${cfg.s3Port} in ${dir}`);
  startProcess('s3', process.execPath, [join(root, 'deploy/local/s3-server.mjs')], {
    env: {
      ...process.env,
      S3_SERVER_HOST: cfg.s3Host,
      S3_SERVER_PORT: String(cfg.s3Port),
      S3_SERVER_DIR: dir,
      S3_ACCESS_KEY: cfg.s3AccessKey,
      S3_SECRET_KEY: cfg.s3SecretKey,
    },
  });
  await waitForPort('S3', cfg.s3Host, cfg.s3Port);
}

/**
 * An OpenSSH SFTP server for export deliveries: its own sshd on loopback, password login for one
 * system user, chrooted into a folder with an `upload` directory. The chroot lives under /var/lib
 * because sshd wants every component of its path owned by root and writable by no one else.
 */
async function ensureSftp(cfg) {
  if (await portOpen(cfg.sftp.host, cfg.sftp.port)) {
    log(`SFTP: reusing ${cfg.sftp.host}:${cfg.sftp.port}`);
    return;
  }
  if (!existsSync('/usr/sbin/sshd')) aptInstall('openssh-server');
  const dir = join(dataDir, 'sftp');
  mkdirSync(dir, { recursive: true });
  const chroot = '/var/lib/custodian-sftp';
  mkdirSync(join(chroot, 'upload'), { recursive: true });
  execFileSync('chmod', ['755', chroot]);
  if (spawnSync('id', ['-u', cfg.sftp.user], { stdio: 'ignore' }).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', cfg.sftp.user]);
  }
  execFileSync('chpasswd', [], { input: `${cfg.sftp.user}:${cfg.sftp.password}\n` });
  execFileSync('chown', [`${cfg.sftp.user}`, join(chroot, 'upload')]);
  const hostKey = join(dir, 'host_ed25519_key');
  if (!existsSync(hostKey)) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  mkdirSync('/run/sshd', { recursive: true });
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${cfg.sftp.port}`,
      `ListenAddress ${cfg.sftp.host}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication no',
      'PermitRootLogin no',
      `AllowUsers ${cfg.sftp.user}`,
      'AuthorizedKeysFile none',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'LogLevel ERROR',
      'Subsystem sftp internal-sftp',
      `ChrootDirectory ${chroot}`,
      'ForceCommand internal-sftp',
      '',
    ].join('\n'),
  );
  log(`SFTP: starting OpenSSH on ${cfg.sftp.host}:${cfg.sftp.port} (user ${cfg.sftp.user}, folder /upload)`);
  startProcess('sftp', '/usr/sbin/sshd', ['-D', '-e', '-f', config]);
  await waitForPort('SFTP', cfg.sftp.host, cfg.sftp.port);
}

/** A WebDAV server for export deliveries: rclone serving a folder under .local, with basic auth. */
async function ensureWebdav(cfg) {
  if (await portOpen(cfg.webdav.host, cfg.webdav.port)) {
    log(`WebDAV: reusing ${cfg.webdav.host}:${cfg.webdav.port}`);
    return;
  }
  if (!has('rclone')) aptInstall('rclone');
  const dir = join(dataDir, 'webdav');
  mkdirSync(dir, { recursive: true });
  log(`WebDAV: starting rclone on ${cfg.webdav.host}:${cfg.webdav.port} in ${dir}`);
  startProcess('webdav', 'rclone', [
    'serve',
    'webdav',
    dir,
    '--addr',
    `${cfg.webdav.host}:${cfg.webdav.port}`,
    '--user',
    cfg.webdav.user,
    '--pass',
    cfg.webdav.password,
    '--log-level',
    'ERROR',
  ]);
  await waitForPort('WebDAV', cfg.webdav.host, cfg.webdav.port);
}

async function ensureInfra(cfg) {
  mkdirSync(dataDir, { recursive: true });
  await ensurePostgres(cfg);
  await ensureNats(cfg);
  await ensureS3(cfg);
  await ensureSftp(cfg);
  await ensureWebdav(cfg);
}

let stopping = false;
async function stopAll() {
  if (stopping) return;
  stopping = true;
  // Reverse order: services first, infrastructure last.
  for (const { name, child } of started.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    const exited = await new Promise((r) => {
      const t = setTimeout(() => r(false), 10_000);
      child.once('exit', () => {
        clearTimeout(t);
        r(true);
      });
    });
    if (!exited) child.kill('SIGKILL');
    log(`stopped ${name}`);
  }
}

let currentStep;

/** Runs a step; one that outlives `timeoutMs` is killed (with its process group) and fails. */
function run(cmd, args, env, timeoutMs = 15 * 60_000) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  return new Promise((done) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env, cwd: root, detached: true });
    currentStep = child;
    const timer = setTimeout(() => {
      log(`${args.join(' ')} still running after ${timeoutMs / 1000} s: stopping it`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      currentStep = undefined;
      done(code ?? (signal ? 1 : 0));
    });
  });
}

async function up(cfg) {
  await ensureInfra(cfg);
  const env = { ...process.env, ...cfg.env };
  for (const app of APPS) {
    startProcess(app.name, process.execPath, ['--enable-source-maps', join(root, `apps/${app.name}/dist/main.js`)], { env, cwd: root });
  }
  for (const app of APPS) await waitForHealth(app.name, `http://127.0.0.1:${cfg.ports[app.name]}/health/ready`);
  const token = execFileSync(
    process.execPath,
    [join(root, 'apps/gateway/dist/cli/mint-token.js'), '--workspace', 'w1', '--role', 'owner', '--plan', 'enterprise', '--client', 'app'],
    { env, encoding: 'utf8' },
  ).trim();
  const url = `http://127.0.0.1:${cfg.ports.gateway}`;
  process.stdout.write(
    `\nCustodian is running.\n  Gateway:  ${url}/v1\n  OpenAPI:  ${url}/docs  (JSON: ${url}/docs/json)\n` +
      `  Token (workspace w1, owner, enterprise, app):\n    ${token}\n  Try: curl -H "Authorization: Bearer $TOKEN" ${url}/v1/contacts\n` +
      `Press Ctrl-C to stop.\n\n`,
  );
  await new Promise(() => {});
}

async function waitForHealth(name, url, deadlineMs = 60_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) throw new Error(`${name} was not ready at ${url} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function test(cfg) {
  await ensureInfra(cfg);
  const env = { ...process.env, ...cfg.env, DATABASE_URL: cfg.testDatabaseUrl };
  const reports = join(dataDir, 'test-reports');
  mkdirSync(reports, { recursive: true });
  const steps = [
    { name: 'typecheck', args: ['run', '--silent', 'typecheck'] },
    { name: 'lint', args: ['run', '--silent', 'lint'] },
    { name: 'format', args: ['run', '--silent', 'format:check'] },
    { name: 'unit', args: ['run', '--silent', 'test:unit', '--', '--json', `--outputFile=${join(reports, 'unit.json')}`] },
    { name: 'integration', args: ['run', '--silent', 'test:int', '--', '--json', `--outputFile=${join(reports, 'integration.json')}`] },
    { name: 'e2e', args: ['run', '--silent', 'test:e2e', '--', '--json', `--outputFile=${join(reports, 'e2e.json')}`] },
  ];
  const failed = [];
  let passedTests = 0;
  let failedTests = 0;
  for (const step of steps) {
    rmSync(join(reports, `${step.name}.json`), { force: true });
    const code = await run('npm', step.args, env);
    if (code !== 0) failed.push(step.name);
    const report = join(reports, `${step.name}.json`);
    if (existsSync(report)) {
      const { numPassedTests, numFailedTests } = JSON.parse(readFileSync(report, 'utf8'));
      log(`${step.name}: ${numPassedTests} passed, ${numFailedTests} failed`);
      passedTests += numPassedTests;
      failedTests += numFailedTests;
    }
  }
  log(failed.length ? `failed steps: ${failed.join(', ')}` : 'all checks passed');
  // The closing line CI reads.
  process.stdout.write(`tests: ${passedTests} passed, ${failedTests} failed\n`);
  return failed.length ? 1 : 0;
}

async function main() {
  const command = process.argv[2] ?? 'up';
  const cfg = localDefaults(process.env);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      // A test step runs in its own process group: stop it too.
      if (currentStep) {
        try {
          process.kill(-currentStep.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
      stopAll().finally(() => process.exit(130));
    });
  }
  let code = 0;
  try {
    if (command === 'up') await up(cfg);
    else if (command === 'infra') {
      await ensureInfra(cfg);
      log('infrastructure is up; Ctrl-C stops what was started');
      await new Promise(() => {});
    } else if (command === 'test') code = await test(cfg);
    else throw new Error(`unknown command "${command}" (use up, infra or test)`);
  } catch (err) {
    process.stderr.write(`[stack] ${err.stack ?? err}\n`);
    code = 1;
  }
  await stopAll();
  process.exit(code);
}

main();
