import 'reflect-metadata';
import { loadConfig } from '@custodian/config';
import { runService } from '@custodian/messaging';
import { AppModule } from './app.module.js';
import { ArchiveEnv } from './config.js';

runService(() => {
  const env = loadConfig(ArchiveEnv);
  return {
    name: 'archive',
    module: AppModule.forRoot(env),
    natsServers: env.NATS_SERVERS,
    httpHost: env.HTTP_HOST,
    httpPort: env.ARCHIVE_HTTP_PORT,
    logLevel: env.LOG_LEVEL,
  };
});
