import { HealthRegistry, LOGGER, type Logger } from '@custodian/observability';
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createAppDataSource, migrate, type AppDataSourceOptions } from './data-source.js';

/** The app's DataSource, migrated at start (under an advisory lock) and checked by readiness. */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  static forRoot(options: AppDataSourceOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          inject: [LOGGER, HealthRegistry],
          useFactory: async (logger: Logger, health: HealthRegistry) => {
            const ds = createAppDataSource(options);
            await ds.initialize();
            const applied = await migrate(ds);
            if (applied.length) logger.info({ applied }, 'migrations applied');
            health.register('database', async () => {
              await ds.query('select 1');
            });
            return ds;
          },
        },
      ],
      exports: [DataSource],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
