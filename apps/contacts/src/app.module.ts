import { loadConfig } from '@custodian/config';
import { MessagingModule } from '@custodian/messaging';
import { createLogger, LOGGER, ObservabilityModule } from '@custodian/observability';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AccountsHandlers } from './accounts/accounts.handlers.js';
import { AccountsService } from './accounts/accounts.service.js';
import { BackupPolicy } from './backup-policy/backup-policy.js';
import { ContactsEnv } from './config.js';
import { DealsHandlers } from './deals/deals.handlers.js';
import { DealsService } from './deals/deals.service.js';
import { BulkArchiveJob } from './lifecycle/bulk-archive-job.js';
import { LifecycleHandlers } from './lifecycle/lifecycle.handlers.js';
import { LifecycleService } from './lifecycle/lifecycle.service.js';
import { ContactsHandlers } from './contacts/contacts.handlers.js';
import { ContactsService } from './contacts/contacts.service.js';
import { DatabaseModule } from './database/database.module.js';
import { DatasetExportJob } from './datasets/dataset-export-job.js';
import { DatasetsHandlers } from './datasets/datasets.handlers.js';
import { ImportJob } from './imports/import-job.js';
import { ImportsHandlers } from './imports/imports.handlers.js';
import { JobsHandlers } from './jobs/jobs.handlers.js';
import { JOB_PROVIDERS, JobRunnerLifecycle } from './jobs/job-providers.js';
import { ListSnapshots } from './snapshots/list-snapshot.js';
import { StorageModule } from './storage/storage.module.js';
import { ListsHandlers } from './lists/lists.handlers.js';
import { ListsService } from './lists/lists.service.js';
import { TagsHandlers } from './tags/tags.handlers.js';
import { TagsService } from './tags/tags.service.js';

@Global()
@Module({})
class CoreModule {
  static forRoot(env: ContactsEnv): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: ContactsEnv, useValue: env }, { provide: LOGGER, useValue: createLogger('contacts', env.LOG_LEVEL) }],
      exports: [ContactsEnv, LOGGER],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(env: ContactsEnv = loadConfig(ContactsEnv)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(env),
        ObservabilityModule.forRoot(),
        DatabaseModule,
        StorageModule,
        MessagingModule.forRoot({
          app: 'contacts',
          natsServers: env.NATS_SERVERS,
          withDatabase: true,
          consumers: { maxDeliver: env.CONTACTS_EVENT_MAX_DELIVER },
        }),
      ],
      controllers: [ContactsHandlers, ListsHandlers, TagsHandlers, AccountsHandlers, DealsHandlers, LifecycleHandlers, ImportsHandlers, DatasetsHandlers, JobsHandlers],
      providers: [ContactsService, ListsService, TagsService, AccountsService, DealsService, LifecycleService, BackupPolicy, ListSnapshots, ImportJob, BulkArchiveJob, DatasetExportJob, ...JOB_PROVIDERS, JobRunnerLifecycle],
    };
  }
}
