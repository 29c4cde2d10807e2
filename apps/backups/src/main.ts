import 'reflect-metadata';
import { loadConfig } from '@custodian/config';
import { runService } from '@custodian/messaging';
import { AppModule } from './app.module.js';
import { BackupsEnv } from './config.js';

runService(() => {
  const env = loadConfig(BackupsEnv);
  return {
    name: 'backups',
    module: AppModule.forRoot(env),
    natsServers: env.NATS_SERVERS,
    httpHost: env.HTTP_HOST,
    httpPort: env.BACKUPS_HTTP_PORT,
    logLevel: env.LOG_LEVEL,
  };
});
