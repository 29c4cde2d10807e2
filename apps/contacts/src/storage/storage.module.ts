import { HealthRegistry } from '@custodian/observability';
import { ObjectStorage, parseStorageConfig } from '@custodian/storage';
import { Global, Module } from '@nestjs/common';
import { ContactsEnv } from '../config.js';

@Global()
@Module({
  providers: [
    {
      provide: ObjectStorage,
      inject: [ContactsEnv, HealthRegistry],
      useFactory: async (env: ContactsEnv, health: HealthRegistry) => {
        const storage = new ObjectStorage(parseStorageConfig(env as unknown as Record<string, string>));
        await storage.ensureBuckets();
        health.register('storage', async () => {
          if (!(await storage.client.bucketExists(storage.bucket('imports')))) throw new Error('imports bucket missing');
        });
        return storage;
      },
    },
  ],
  exports: [ObjectStorage],
})
export class StorageModule {}
