import { ConfigError, loadConfig, S3Env } from '@custodian/config';

export interface StorageConfig {
  /** e.g. http://127.0.0.1:9000 */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region?: string;
  /** Buckets are named `<prefix><kind>`. */
  bucketPrefix?: string;
}

/** The storage settings of an environment validated at load (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION, S3_BUCKET_PREFIX). */
export function storageConfig(env: S3Env): StorageConfig {
  return { endpoint: env.S3_ENDPOINT, accessKey: env.S3_ACCESS_KEY, secretKey: env.S3_SECRET_KEY, region: env.S3_REGION, bucketPrefix: env.S3_BUCKET_PREFIX };
}

/** Reads the S3_* variables from environment text (tests, benchmarks) with the services' own rules, naming what is wrong. */
export function parseStorageConfig(env: Record<string, string | undefined>): StorageConfig {
  try {
    return storageConfig(loadConfig(S3Env, env));
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(`invalid storage configuration: ${err.problems.join('; ')}`, { cause: err });
    throw err;
  }
}
