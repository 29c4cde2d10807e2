import type { S3Env } from '@custodian/config';
import { HealthRegistry } from '@custodian/observability';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { storageConfig } from './config.js';
import type { ArtifactKind } from './keys.js';
import { ObjectStorage } from './object-storage.js';

/**
 * ObjectStorage for an app, its buckets created at start and checked by readiness (unless `readiness: false`: the
 * gateway only stores uploads, so an object storage outage must not take its whole API out of service).
 */
@Global()
@Module({})
export class StorageModule {
  static forRoot(env: S3Env, buckets: readonly ArtifactKind[], options: { readiness?: boolean } = {}): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        {
          provide: ObjectStorage,
          inject: [HealthRegistry],
          useFactory: async (health: HealthRegistry) => {
            const storage = new ObjectStorage(storageConfig(env));
            await storage.ensureBuckets(buckets);
            if (options.readiness === false) return storage;
            health.register('storage', async () => {
              if (!(await storage.client.bucketExists(storage.bucket(buckets[0]!)))) throw new Error(`bucket ${storage.bucket(buckets[0]!)} missing`);
            });
            return storage;
          },
        },
      ],
      exports: [ObjectStorage],
    };
  }
}
