import { loadConfig } from '@custodian/config';
import { CommandClient, MessagingModule } from '@custodian/messaging';
import { ServiceCoreModule } from '@custodian/observability';
import { DatabaseModule } from '@custodian/persistence';
import { StorageModule } from '@custodian/storage';
import { Module, type DynamicModule } from '@nestjs/common';
import { ExportsEnv } from './config.js';
import { DeliverySender } from './delivery/delivery-sender.js';
import { DestinationHandlers } from './delivery/destinations.handlers.js';
import { EXPORTS_JOBS } from './jobs.js';
import { MIGRATIONS, SCHEMA } from './migrations.js';
import { NotificationSender } from './notifications/notifications.js';
import { ExportHandlers } from './requests/exports.handlers.js';
import { ExportsService } from './requests/exports.service.js';
import { FileSweeper } from './retention/file-sweeper.js';
import { DatasetResultWaits } from './runs/dataset-result-waits.js';
import { DatasetResults } from './runs/dataset-results.js';
import { ExportRun } from './runs/export-run.js';

@Module({})
export class AppModule {
  static forRoot(env: ExportsEnv = loadConfig(ExportsEnv)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot('exports', ExportsEnv, env, env.LOG_LEVEL),
        DatabaseModule.forRoot({ url: env.DATABASE_URL, schema: SCHEMA, migrations: MIGRATIONS, applicationName: 'custodian-exports' }),
        StorageModule.forRoot(env, ['exports']),
        MessagingModule.forRoot({
          app: 'exports',
          natsServers: env.NATS_SERVERS,
          withDatabase: true,
          consumers: { maxDeliver: env.EXPORTS_EVENT_MAX_DELIVER },
        }),
      ],
      controllers: [ExportHandlers, DestinationHandlers, DatasetResults, EXPORTS_JOBS.controller],
      providers: [
        ExportRun,
        ExportsService,
        DatasetResultWaits,
        NotificationSender,
        DeliverySender,
        FileSweeper,
        ...EXPORTS_JOBS.providers,
        { provide: CommandClient, useFactory: () => CommandClient.connect(env.NATS_SERVERS, 'custodian-exports', env.EXPORTS_COMMAND_TIMEOUT) },
      ],
    };
  }
}
