import { HealthRegistry } from '@custodian/observability';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { parseStorageConfig } from './config.js';
import type { ArtifactKind } from './keys.js';
import { ObjectStorage } from './object-storage.js';

/** ObjectStorage for an app, its buckets created at start and checked by readiness. */
@Global()
@Module({})
export class StorageModule {
  static forRoot(env: Record<string, string | undefined>, buckets: readonly ArtifactKind[]): DynamicModule {
    return {
      module: StorageModule,
      providers: [{
        provide: ObjectStorage,
        inject: [HealthRegistry],
        useFactory: async (health: HealthRegistry) => {
          const storage = new ObjectStorage(parseStorageConfig(env));
          await storage.ensureBuckets(buckets);
          health.register('storage', async () => {
            if (!(await storage.client.bucketExists(storage.bucket(buckets[0]!)))) throw new Error(`bucket ${storage.bucket(buckets[0]!)} missing`);
          });
          return storage;
        },
      }],
      exports: [ObjectStorage],
    };
  }
}
