import { loadConfig } from '@custodian/config';
import { CommandClient, MessagingModule } from '@custodian/messaging';
import { ServiceCoreModule } from '@custodian/observability';
import { DatabaseModule } from '@custodian/persistence';
import { StorageModule } from '@custodian/storage';
import { Module, type DynamicModule } from '@nestjs/common';
import { Catalog } from './catalog/catalog.js';
import { RetentionSweeper } from './catalog/retention.js';
import { BackupsEnv } from './config.js';
import { BACKUPS_JOBS } from './jobs/jobs.js';
import { MIGRATIONS, SCHEMA } from './migrations.js';
import { PolicyHandlers } from './policy/policy.handlers.js';
import { RestoreJob } from './restore/restore-job.js';
import { RestoreHandlers } from './restore/restore.handlers.js';

@Module({})
export class AppModule {
  static forRoot(env: BackupsEnv = loadConfig(BackupsEnv)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot('backups', BackupsEnv, env, env.LOG_LEVEL),
        DatabaseModule.forRoot({ url: env.DATABASE_URL, schema: SCHEMA, migrations: MIGRATIONS, applicationName: 'custodian-backups' }),
        StorageModule.forRoot(env, ['backups']),
        MessagingModule.forRoot({
          app: 'backups',
          natsServers: env.NATS_SERVERS,
          withDatabase: true,
          consumers: { maxDeliver: env.BACKUPS_EVENT_MAX_DELIVER },
        }),
      ],
      controllers: [PolicyHandlers, Catalog, RestoreHandlers, BACKUPS_JOBS.controller],
      providers: [
        RetentionSweeper,
        RestoreJob,
        ...BACKUPS_JOBS.providers,
        {
          provide: CommandClient,
          useFactory: () => CommandClient.connect(env.NATS_SERVERS, 'custodian-backups', env.BACKUPS_COMMAND_TIMEOUT),
        },
      ],
    };
  }
}
