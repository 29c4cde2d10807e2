import 'reflect-metadata';
import { loadConfig } from '@custodian/config';
import { createLogger, httpMetrics, NestPinoLogger, surviveUnhandledRejections } from '@custodian/observability';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { GatewayEnv } from './config.js';
import { correlation } from './http/correlation.middleware.js';
import { jsonBody } from './http/json-body.middleware.js';
import { CONTRACT_SCHEMAS } from './http/openapi.js';

async function main(): Promise<void> {
  const env = loadConfig(GatewayEnv);
  const logger = createLogger('gateway', env.LOG_LEVEL);
  surviveUnhandledRejections(logger);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env), { logger: new NestPinoLogger(logger), bodyParser: false });
  app.disable('x-powered-by');
  app.use(httpMetrics);
  app.use(correlation);
  app.use(jsonBody(env.GATEWAY_JSON_LIMIT_BYTES));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Custodian API')
      .setDescription(
        'Contact-data lifecycle: contacts, lists, imports, backups, archive and restore, exports, interaction retention. ' +
          'Errors are application/problem+json with a stable `code`. Long operations answer 202 with a job and a Location header.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...(CONTRACT_SCHEMAS as object) } };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  app.enableShutdownHooks();
  await app.listen(env.GATEWAY_PORT, env.HTTP_HOST);
  logger.info({ port: env.GATEWAY_PORT }, 'gateway ready');
}

main().catch((err) => {
  process.stderr.write(`gateway failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
