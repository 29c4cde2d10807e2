import { CommandClient, MessagingModule } from '@custodian/messaging';
import { ServiceCoreModule } from '@custodian/observability';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard.js';
import { GatewayEnv } from './config.js';
import { AccountsController } from './accounts/accounts.controller.js';
import { ArchiveController } from './archive/archive.controller.js';
import { BackupsController } from './backups/backups.controller.js';
import { ContactsController } from './contacts/contacts.controller.js';
import { DealsController } from './deals/deals.controller.js';
import { COMMAND_CLIENT, Commands } from './http/commands.js';
import { ProblemFilter } from './http/problem.js';
import { QueryParamsInterceptor } from './http/query-params.js';
import { ImportsController } from './imports/imports.controller.js';
import { JobsController } from './jobs/jobs.controller.js';
import { StorageModule } from '@custodian/storage';
import { ExportSettingsController, ExportsController } from './exports/exports.controller.js';
import { InteractionsController } from './interactions/interactions.controller.js';
import { ListsController } from './lists/lists.controller.js';
import { CampaignsController, CanvasesController } from './programs/programs.controller.js';
import { FieldsController } from './fields/fields.controller.js';
import { TagsController } from './tags/tags.controller.js';

@Module({})
export class AppModule {
  static forRoot(env: GatewayEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot('gateway', GatewayEnv, env, env.LOG_LEVEL),
        // Uploads only: readiness stays NATS alone, so an object storage outage does not take the whole API out of service.
        StorageModule.forRoot(env, ['imports'], { readiness: false }),
        MessagingModule.forRoot({ app: 'gateway', natsServers: env.NATS_SERVERS, withDatabase: false }),
      ],
      controllers: [
        ContactsController,
        ListsController,
        TagsController,
        FieldsController,
        AccountsController,
        DealsController,
        ImportsController,
        BackupsController,
        ArchiveController,
        CampaignsController,
        CanvasesController,
        InteractionsController,
        ExportsController,
        ExportSettingsController,
        JobsController,
      ],
      providers: [
        Commands,
        { provide: COMMAND_CLIENT, useFactory: () => CommandClient.connect(env.NATS_SERVERS, 'custodian-gateway', env.GATEWAY_COMMAND_TIMEOUT) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: QueryParamsInterceptor },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
