import 'reflect-metadata';
import { loadConfig } from '@custodian/config';
import { runService } from '@custodian/messaging';
import { AppModule } from './app.module.js';
import { ContactsEnv } from './config.js';

runService(() => {
  const env = loadConfig(ContactsEnv);
  return {
    name: 'contacts',
    module: AppModule.forRoot(env),
    natsServers: env.NATS_SERVERS,
    httpHost: env.HTTP_HOST,
    httpPort: env.CONTACTS_HTTP_PORT,
    logLevel: env.LOG_LEVEL,
  };
});
