import { createAppDataSource, migrate } from '@custodian/persistence';
import { HealthRegistry, LOGGER, type Logger } from '@custodian/observability';
import { MessagingTables1763800000000 } from '@custodian/messaging';
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ContactsEnv } from '../config.js';
import { ContactsSchema1763800000100 } from '../migrations/001-contacts-schema.js';
import { ContactsJobs1763800000200 } from '../migrations/002-jobs.js';
import { MembershipWithoutForeignKeys1763800000300 } from '../migrations/003-membership-without-foreign-keys.js';

export const SCHEMA = 'contacts';
export const MIGRATIONS = [MessagingTables1763800000000, ContactsSchema1763800000100, ContactsJobs1763800000200, MembershipWithoutForeignKeys1763800000300];

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [ContactsEnv, LOGGER, HealthRegistry],
      useFactory: async (env: ContactsEnv, logger: Logger, health: HealthRegistry) => {
        const ds = createAppDataSource({ url: env.DATABASE_URL, schema: SCHEMA, migrations: MIGRATIONS, applicationName: 'custodian-contacts',
          sessionSettings: { temp_buffers: env.CONTACTS_TEMP_BUFFERS } });
        await ds.initialize();
        const applied = await migrate(ds);
        if (applied.length) logger.info({ applied }, 'migrations applied');
        health.register('database', async () => { await ds.query('select 1'); });
        return ds;
      },
    },
  ],
  exports: [DataSource],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
