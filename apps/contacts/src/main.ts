import 'reflect-metadata';
import { loadConfig } from '@custodian/config';
import { natsServers } from '@custodian/messaging';
import { createLogger, NestPinoLogger } from '@custodian/observability';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { AppModule } from './app.module.js';
import { ContactsEnv } from './config.js';

async function main(): Promise<void> {
  const env = loadConfig(ContactsEnv);
  const logger = createLogger('contacts', env.LOG_LEVEL);
  const app = await NestFactory.create(AppModule.forRoot(env), { logger: new NestPinoLogger(logger), bodyParser: false });
  // Commands arrive over NATS request/reply; the queue group spreads them over the replicas.
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.NATS,
    options: { servers: natsServers(env.NATS_SERVERS), queue: 'contacts', name: 'custodian-contacts-commands', maxReconnectAttempts: -1, reconnectTimeWait: 500 },
  });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(env.CONTACTS_HTTP_PORT, env.HTTP_HOST);
  logger.info({ port: env.CONTACTS_HTTP_PORT }, 'contacts service ready');
}

main().catch((err) => {
  process.stderr.write(`contacts failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
