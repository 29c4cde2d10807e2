import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, stackEnv } from './env.js';
import { waitFor } from './wait-for.js';
import { CommandClient } from '@custodian/messaging';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** One service process of the system, started from its build output, as in production. */
export class ServiceProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];

  constructor(
    readonly name: string,
    readonly httpPort: number,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<this> {
    const child = spawn(process.execPath, ['--enable-source-maps', join(ROOT, `apps/${this.name}/dist/main.js`)], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 2000) this.output.splice(0, 1000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}:\n${this.output.join('').slice(-3000)}`);
          const res = await fetch(`http://127.0.0.1:${this.httpPort}/health/ready`).catch(() => null);
          return res?.ok;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: `${this.name} to be ready` },
      );
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n--- ${this.name} output ---\n${this.output.join('').slice(-3000)}`, { cause: err });
    }
    return this;
  }

  /** Ends the process the hard way, as a crash would. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Graceful stop. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface TokenOptions {
  workspace: string;
  role?: 'owner' | 'admin' | 'manager' | 'member';
  plan?: 'free' | 'pro' | 'enterprise';
  client?: 'app' | 'api' | 'integration';
  sub?: string;
}

/** The whole system (the given services plus the gateway) on free ports against the real stack. */
export class TestSystem {
  readonly services = new Map<string, ServiceProcess>();
  private readonly commandClients: CommandClient[] = [];
  gatewayUrl = '';

  constructor(
    private readonly apps: string[],
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  async start(): Promise<this> {
    const env: Record<string, string> = { ...stackEnv(), LOG_LEVEL: 'warn', ...this.extraEnv };
    for (const app of [...this.apps, 'gateway']) {
      const port = await freePort();
      env[`${app.toUpperCase()}_${app === 'gateway' ? 'PORT' : 'HTTP_PORT'}`] = String(port);
      this.services.set(app, new ServiceProcess(app, port, env));
    }
    for (const service of this.services.values()) await service.start();
    this.gatewayUrl = `http://127.0.0.1:${this.services.get('gateway')!.httpPort}`;
    return this;
  }

  service(name: string): ServiceProcess {
    const s = this.services.get(name);
    if (!s) throw new Error(`no service ${name}`);
    return s;
  }

  /** Sends commands over the stack's NATS as another service would; closed by stop(). */
  commandClient(name = 'test'): CommandClient {
    const client = CommandClient.connect(stackEnv().NATS_SERVERS, `custodian-${name}`);
    this.commandClients.push(client);
    return client;
  }

  async stop(): Promise<void> {
    await Promise.all(this.commandClients.splice(0).map((c) => c.close()));
    await Promise.all([...this.services.values()].map((s) => s.stop()));
  }

  token(options: TokenOptions): string {
    const args = [
      '--workspace',
      options.workspace,
      '--role',
      options.role ?? 'owner',
      '--plan',
      options.plan ?? 'enterprise',
      '--client',
      options.client ?? 'app',
      '--sub',
      options.sub ?? 'test-user',
    ];
    const out = spawnSync(process.execPath, [join(ROOT, 'apps/gateway/dist/cli/mint-token.js'), ...args], {
      env: { ...process.env, ...stackEnv(), ...this.extraEnv },
      encoding: 'utf8',
    });
    if (out.status !== 0) throw new Error(`mint-token failed: ${out.stderr}`);
    return out.stdout.trim();
  }

  /** A fetch bound to the gateway and a token; JSON bodies are sent as JSON. */
  client(token: string) {
    return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${this.gatewayUrl}${path}`, init);
      const text = await res.text();
      let json: any = undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, headers: res.headers, body: json, text };
    };
  }
}

/** A job read through the gateway once it has ended (`GET /v1/jobs/{id}`), waiting for it up to `timeoutMs`. */
export function endedJob(api: ReturnType<TestSystem['client']>, id: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const job = (await api('GET', `/v1/jobs/${id}`)).body;
      return ['succeeded', 'failed', 'discarded', 'cancelled'].includes(job.status) ? job : null;
    },
    { timeoutMs, what: `job ${id} to end` },
  );
}
