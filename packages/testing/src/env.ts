import { createServer } from 'node:net';

/** Connection settings of the real stack the tests run against (started by `npm test`). */
export function stackEnv(): Record<string, string> {
  const e = process.env;
  return {
    DATABASE_URL: e.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/custodian_test',
    NATS_SERVERS: e.NATS_SERVERS ?? 'nats://127.0.0.1:4222',
    S3_ENDPOINT: e.S3_ENDPOINT ?? 'http://127.0.0.1:9000',
    S3_ACCESS_KEY: e.S3_ACCESS_KEY ?? 'custodian',
    S3_SECRET_KEY: e.S3_SECRET_KEY ?? 'custodian-secret',
    S3_REGION: e.S3_REGION ?? 'us-east-1',
    GATEWAY_JWT_SECRET: e.GATEWAY_JWT_SECRET ?? 'local-development-secret-change-me-0123456789',
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A workspace id no other test run uses. */
export function uniqueWorkspace(prefix = 'ws'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
