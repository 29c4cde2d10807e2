import 'reflect-metadata';
import { loadConfig } from '@custodian/config';
import { runService } from '@custodian/messaging';
import { AppModule } from './app.module.js';
import { InteractionsEnv } from './config.js';

runService(() => {
  const env = loadConfig(InteractionsEnv);
  return {
    name: 'interactions',
    module: AppModule.forRoot(env),
    natsServers: env.NATS_SERVERS,
    httpHost: env.HTTP_HOST,
    httpPort: env.INTERACTIONS_HTTP_PORT,
    logLevel: env.LOG_LEVEL,
  };
});
