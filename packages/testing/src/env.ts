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
    EXPORTS_CREDENTIALS_KEY: e.EXPORTS_CREDENTIALS_KEY ?? 'local-development-credentials-key-change-me',
    // The export destinations the local stack runs (deploy/local/defaults.mjs).
    LOCAL_SFTP_URL: e.LOCAL_SFTP_URL ?? 'sftp://custodian-sftp:custodian-sftp-secret@127.0.0.1:2222/upload',
    LOCAL_WEBDAV_URL: e.LOCAL_WEBDAV_URL ?? 'http://custodian:custodian-webdav-secret@127.0.0.1:8090/',
  };
}

/**
 * A free port below the kernel's ephemeral range (32768 and up on Linux), so no outgoing
 * connection of this or another process can take it between this check and the service's bind.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** A workspace id no other test run uses. */
export function uniqueWorkspace(prefix = 'ws'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
