// Local defaults of the stack: every value can be overridden by the environment variable of the
// same name (documented in deploy/README.md).
export const APPS = [{ name: 'contacts' }, { name: 'backups' }, { name: 'archive' }, { name: 'interactions' }, { name: 'exports' }, { name: 'gateway' }];

export function localDefaults(env) {
  const pgHost = env.PGHOST ?? '127.0.0.1';
  const pgPort = Number(env.PGPORT ?? 5432);
  const pgUser = env.PGUSER ?? 'postgres';
  const database = env.CUSTODIAN_DATABASE ?? 'custodian';
  const testDatabase = env.CUSTODIAN_TEST_DATABASE ?? 'custodian_test';
  const natsHost = '127.0.0.1';
  const natsPort = Number(env.NATS_PORT ?? 4222);
  const s3Host = '127.0.0.1';
  const s3Port = Number(env.S3_PORT ?? 9000);
  const s3AccessKey = env.S3_ACCESS_KEY ?? 'custodian';
  const s3SecretKey = env.S3_SECRET_KEY ?? 'custodian-secret';
  const ports = {
    gateway: Number(env.GATEWAY_PORT ?? 8080),
    contacts: Number(env.CONTACTS_HTTP_PORT ?? 8081),
    backups: Number(env.BACKUPS_HTTP_PORT ?? 8082),
    archive: Number(env.ARCHIVE_HTTP_PORT ?? 8083),
    interactions: Number(env.INTERACTIONS_HTTP_PORT ?? 8084),
    exports: Number(env.EXPORTS_HTTP_PORT ?? 8085),
  };
  // Export destinations on loopback (tests add them to a workspace's allowlist).
  const sftp = {
    host: '127.0.0.1',
    port: Number(env.LOCAL_SFTP_PORT ?? 2222),
    user: 'custodian-sftp',
    password: env.LOCAL_SFTP_PASSWORD ?? 'custodian-sftp-secret',
  };
  const webdav = {
    host: '127.0.0.1',
    port: Number(env.LOCAL_WEBDAV_PORT ?? 8090),
    user: 'custodian',
    password: env.LOCAL_WEBDAV_PASSWORD ?? 'custodian-webdav-secret',
  };
  const dbUrl = (name) => `postgres://${pgUser}@${pgHost}:${pgPort}/${name}`;
  return {
    pgHost,
    pgPort,
    pgUser,
    databases: [database, testDatabase],
    natsHost,
    natsPort,
    s3Host,
    s3Port,
    s3AccessKey,
    s3SecretKey,
    ports,
    sftp,
    webdav,
    testDatabaseUrl: dbUrl(testDatabase),
    env: {
      DATABASE_URL: env.DATABASE_URL ?? dbUrl(database),
      NATS_SERVERS: env.NATS_SERVERS ?? `nats://${natsHost}:${natsPort}`,
      S3_ENDPOINT: env.S3_ENDPOINT ?? `http://${s3Host}:${s3Port}`,
      S3_ACCESS_KEY: s3AccessKey,
      S3_SECRET_KEY: s3SecretKey,
      GATEWAY_PORT: String(ports.gateway),
      CONTACTS_HTTP_PORT: String(ports.contacts),
      BACKUPS_HTTP_PORT: String(ports.backups),
      ARCHIVE_HTTP_PORT: String(ports.archive),
      INTERACTIONS_HTTP_PORT: String(ports.interactions),
      EXPORTS_HTTP_PORT: String(ports.exports),
      // Local notification receivers run on loopback and plain http; production refuses both.
      EXPORTS_NOTIFY_ALLOW_PRIVATE: env.EXPORTS_NOTIFY_ALLOW_PRIVATE ?? 'true',
      GATEWAY_JWT_SECRET: env.GATEWAY_JWT_SECRET ?? 'local-development-secret-change-me-0123456789',
      EXPORTS_CREDENTIALS_KEY: env.EXPORTS_CREDENTIALS_KEY ?? 'local-development-credentials-key-change-me',
      LOCAL_SFTP_URL: `sftp://${sftp.user}:${sftp.password}@${sftp.host}:${sftp.port}/upload`,
      LOCAL_WEBDAV_URL: `http://${webdav.user}:${webdav.password}@${webdav.host}:${webdav.port}/`,
    },
  };
}
