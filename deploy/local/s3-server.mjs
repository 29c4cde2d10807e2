#!/usr/bin/env node
// The local S3-compatible server (no MinIO binary installs here). It enforces SigV4 signatures and
// presigned expiry, so code that works against it speaks plain S3 and runs on MinIO unchanged.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver');
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account.js');

const host = process.env.S3_SERVER_HOST ?? '127.0.0.1';
const port = Number(process.env.S3_SERVER_PORT ?? 9000);
const accessKey = process.env.S3_ACCESS_KEY ?? 'custodian';
const secretKey = process.env.S3_SECRET_KEY ?? 'custodian-secret';

// Only the configured key pair may sign requests: the built-in demo pair is revoked.
DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);

const server = new S3rver({
  address: host,
  port,
  directory: process.env.S3_SERVER_DIR ?? '.local/s3',
  silent: true,
  vhostBuckets: false,
});
const address = await server.run();
process.stdout.write(`[s3] listening on ${address.address}:${address.port}\n`);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => server.close().finally(() => process.exit(0)));
}
