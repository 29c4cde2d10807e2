import { loadConfig } from '@custodian/config';
import { CommandClient, MessagingModule } from '@custodian/messaging';
import { ServiceCoreModule } from '@custodian/observability';
import { DatabaseModule } from '@custodian/persistence';
import { StorageModule } from '@custodian/storage';
import { Module, type DynamicModule } from '@nestjs/common';
import { ArchiveEnv } from './config.js';
import { ARCHIVE_JOBS } from './jobs/jobs.js';
import { MIGRATIONS, SCHEMA } from './migrations.js';
import { RestoreJob } from './restore/restore-job.js';
import { RestoreService } from './restore/restore.service.js';
import { RestoreHandlers } from './restore/restores.handlers.js';
import { ArchiveStore } from './store/archive-store.js';
import { PurgeSweeper } from './store/purge.js';

@Module({})
export class AppModule {
  static forRoot(env: ArchiveEnv = loadConfig(ArchiveEnv)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot('archive', ArchiveEnv, env, env.LOG_LEVEL),
        DatabaseModule.forRoot({ url: env.DATABASE_URL, schema: SCHEMA, migrations: MIGRATIONS, applicationName: 'custodian-archive' }),
        StorageModule.forRoot(env, ['archive']),
        MessagingModule.forRoot({
          app: 'archive',
          natsServers: env.NATS_SERVERS,
          withDatabase: true,
          consumers: { maxDeliver: env.ARCHIVE_EVENT_MAX_DELIVER },
        }),
      ],
      controllers: [ArchiveStore, RestoreHandlers, ARCHIVE_JOBS.controller],
      providers: [
        PurgeSweeper,
        RestoreService,
        RestoreJob,
        ...ARCHIVE_JOBS.providers,
        { provide: CommandClient, useFactory: () => CommandClient.connect(env.NATS_SERVERS, 'custodian-archive', env.ARCHIVE_COMMAND_TIMEOUT) },
      ],
    };
  }
}
