import { createLogger, NestPinoLogger, surviveUnhandledRejections } from '@custodian/observability';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { natsServers } from './nats.js';

export interface ServiceSettings {
  /** The app's name: its NATS queue group, its logs' `service`. */
  name: string;
  module: DynamicModule;
  natsServers: string;
  httpHost: string;
  httpPort: number;
  logLevel: string;
}

/**
 * Starts a domain service: commands over NATS request/reply (the queue group spreads them over the
 * replicas) and an HTTP port for health, readiness and metrics. Exits with the cause on failure.
 */
export function runService(settings: () => ServiceSettings): void {
  let name = 'service';
  (async () => {
    const s = settings();
    name = s.name;
    const logger = createLogger(s.name, s.logLevel);
    surviveUnhandledRejections(logger);
    const app = await NestFactory.create(s.module, { logger: new NestPinoLogger(logger), bodyParser: false });
    app.connectMicroservice<MicroserviceOptions>({
      transport: Transport.NATS,
      options: { servers: natsServers(s.natsServers), queue: s.name, name: `custodian-${s.name}-commands`, maxReconnectAttempts: -1, reconnectTimeWait: 500 },
    });
    app.enableShutdownHooks();
    await app.startAllMicroservices();
    await app.listen(s.httpPort, s.httpHost);
    logger.info({ port: s.httpPort }, `${s.name} service ready`);
  })().catch((err) => {
    process.stderr.write(`${name} failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
