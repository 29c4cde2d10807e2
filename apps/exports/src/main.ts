import 'reflect-metadata';
import { loadConfig } from '@custodian/config';
import { runService } from '@custodian/messaging';
import { AppModule } from './app.module.js';
import { ExportsEnv } from './config.js';

runService(() => {
  const env = loadConfig(ExportsEnv);
  return {
    name: 'exports',
    module: AppModule.forRoot(env),
    natsServers: env.NATS_SERVERS,
    httpHost: env.HTTP_HOST,
    httpPort: env.EXPORTS_HTTP_PORT,
    logLevel: env.LOG_LEVEL,
  };
});
