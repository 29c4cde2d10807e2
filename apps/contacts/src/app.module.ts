import { loadConfig } from '@custodian/config';
import { MessagingModule } from '@custodian/messaging';
import { ServiceCoreModule } from '@custodian/observability';
import { DatabaseModule } from '@custodian/persistence';
import { StorageModule } from '@custodian/storage';
import { Module, type DynamicModule } from '@nestjs/common';
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
import { MIGRATIONS, SCHEMA } from './database/migrations.js';
import { DatasetExportJob } from './datasets/dataset-export-job.js';
import { DatasetsHandlers } from './datasets/datasets.handlers.js';
import { FieldDefinitions } from './fields/field-definitions.js';
import { FieldsHandlers } from './fields/fields.handlers.js';
import { ImportFilesSweeper } from './imports/import-files-sweeper.js';
import { ImportJob } from './imports/import-job.js';
import { ImportsHandlers } from './imports/imports.handlers.js';
import { CONTACTS_JOBS } from './jobs/job-providers.js';
import { ListSnapshots } from './snapshots/list-snapshot.js';
import { ListsHandlers } from './lists/lists.handlers.js';
import { ListsService } from './lists/lists.service.js';
import { TagsHandlers } from './tags/tags.handlers.js';
import { TagsService } from './tags/tags.service.js';

@Module({})
export class AppModule {
  static forRoot(env: ContactsEnv = loadConfig(ContactsEnv)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot('contacts', ContactsEnv, env, env.LOG_LEVEL),
        DatabaseModule.forRoot({
          url: env.DATABASE_URL,
          schema: SCHEMA,
          migrations: MIGRATIONS,
          applicationName: 'custodian-contacts',
          sessionSettings: { temp_buffers: env.CONTACTS_TEMP_BUFFERS },
        }),
        StorageModule.forRoot(env, ['imports', 'backups', 'exports', 'archive']),
        MessagingModule.forRoot({
          app: 'contacts',
          natsServers: env.NATS_SERVERS,
          withDatabase: true,
          consumers: { maxDeliver: env.CONTACTS_EVENT_MAX_DELIVER },
        }),
      ],
      controllers: [
        ContactsHandlers,
        ListsHandlers,
        TagsHandlers,
        AccountsHandlers,
        DealsHandlers,
        LifecycleHandlers,
        ImportsHandlers,
        DatasetsHandlers,
        FieldsHandlers,
        CONTACTS_JOBS.controller,
      ],
      providers: [
        ContactsService,
        FieldDefinitions,
        ListsService,
        TagsService,
        AccountsService,
        DealsService,
        LifecycleService,
        BackupPolicy,
        ListSnapshots,
        ImportJob,
        ImportFilesSweeper,
        BulkArchiveJob,
        DatasetExportJob,
        ...CONTACTS_JOBS.providers,
      ],
    };
  }
}
