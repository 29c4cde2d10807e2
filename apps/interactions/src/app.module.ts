import { loadConfig } from '@custodian/config';
import { MessagingModule } from '@custodian/messaging';
import { ServiceCoreModule } from '@custodian/observability';
import { DatabaseModule } from '@custodian/persistence';
import { StorageModule } from '@custodian/storage';
import { Module, type DynamicModule } from '@nestjs/common';
import { InteractionsEnv } from './config.js';
import { InteractionDatasetJob } from './datasets/dataset-export-job.js';
import { DatasetsHandlers } from './datasets/datasets.handlers.js';
import { ExpireJob } from './expiry/expire-job.js';
import { ExpirySweeper } from './expiry/expiry-sweeper.js';
import { IngestHandlers } from './ingest/ingest.handlers.js';
import { INTERACTIONS_JOBS } from './jobs.js';
import { MIGRATIONS, SCHEMA } from './migrations.js';
import { ProgramHandlers } from './programs/programs.handlers.js';
import { QueryHandlers } from './queries/queries.handlers.js';
import { RestoreJob } from './restore/restore-job.js';
import { RestoreHandlers } from './restore/restores.handlers.js';

@Module({})
export class AppModule {
  static forRoot(env: InteractionsEnv = loadConfig(InteractionsEnv)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot('interactions', InteractionsEnv, env, env.LOG_LEVEL),
        DatabaseModule.forRoot({ url: env.DATABASE_URL, schema: SCHEMA, migrations: MIGRATIONS, applicationName: 'custodian-interactions' }),
        StorageModule.forRoot(env, ['interactions']),
        MessagingModule.forRoot({
          app: 'interactions',
          natsServers: env.NATS_SERVERS,
          withDatabase: true,
          consumers: { maxDeliver: env.INTERACTIONS_EVENT_MAX_DELIVER },
        }),
      ],
      controllers: [ProgramHandlers, IngestHandlers, QueryHandlers, RestoreHandlers, DatasetsHandlers, INTERACTIONS_JOBS.controller],
      providers: [ExpireJob, ExpirySweeper, RestoreJob, InteractionDatasetJob, ...INTERACTIONS_JOBS.providers],
    };
  }
}
