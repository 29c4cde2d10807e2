import { CommandClient, MessagingModule } from '@custodian/messaging';
import { createLogger, LOGGER, ObservabilityModule } from '@custodian/observability';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { natsServers } from '@custodian/messaging';
import { AuthGuard } from './auth/auth.guard.js';
import { GatewayEnv } from './config.js';
import { AccountsController } from './accounts/accounts.controller.js';
import { ArchiveController } from './archive/archive.controller.js';
import { BackupsController } from './backups/backups.controller.js';
import { ContactsController } from './contacts/contacts.controller.js';
import { DealsController } from './deals/deals.controller.js';
import { COMMAND_CLIENT, Commands } from './http/commands.js';
import { ProblemFilter } from './http/problem.js';
import { ImportsController } from './imports/imports.controller.js';
import { JobsController } from './jobs/jobs.controller.js';
import { ObjectStorage, parseStorageConfig } from '@custodian/storage';
import { ExportSettingsController, ExportsController } from './exports/exports.controller.js';
import { InteractionsController } from './interactions/interactions.controller.js';
import { ListsController } from './lists/lists.controller.js';
import { CampaignsController, CanvasesController } from './programs/programs.controller.js';
import { TagsController } from './tags/tags.controller.js';

@Global()
@Module({})
class CoreModule {
  static forRoot(env: GatewayEnv): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: GatewayEnv, useValue: env },
        { provide: LOGGER, useValue: createLogger('gateway', env.LOG_LEVEL) },
        {
          provide: ObjectStorage,
          useFactory: async () => {
            const storage = new ObjectStorage(parseStorageConfig(env as unknown as Record<string, string>));
            await storage.ensureBuckets(['imports']);
            return storage;
          },
        },
        {
          provide: COMMAND_CLIENT,
          useFactory: () => new CommandClient(
            ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: natsServers(env.NATS_SERVERS), name: 'custodian-gateway', maxReconnectAttempts: -1, reconnectTimeWait: 500 } }),
            env.GATEWAY_COMMAND_TIMEOUT,
          ),
        },
      ],
      exports: [GatewayEnv, LOGGER, COMMAND_CLIENT, ObjectStorage],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(env: GatewayEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(env),
        ObservabilityModule.forRoot(),
        MessagingModule.forRoot({ app: 'gateway', natsServers: env.NATS_SERVERS, withDatabase: false }),
      ],
      controllers: [ContactsController, ListsController, TagsController, AccountsController, DealsController, ImportsController, BackupsController, ArchiveController,
        CampaignsController, CanvasesController, InteractionsController, ExportsController, ExportSettingsController, JobsController],
      providers: [
        Commands,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
