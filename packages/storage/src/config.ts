export interface StorageConfig {
  /** e.g. http://127.0.0.1:9000 */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region?: string;
  /** Buckets are named `<prefix><kind>`. */
  bucketPrefix?: string;
}

/** Reads S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION and S3_BUCKET_PREFIX, naming what is wrong. */
export function parseStorageConfig(env: Record<string, string | undefined>): StorageConfig {
  const problems: string[] = [];
  const endpoint = env.S3_ENDPOINT ?? 'http://127.0.0.1:9000';
  try {
    const url = new URL(endpoint);
    if (!['http:', 'https:'].includes(url.protocol)) problems.push(`S3_ENDPOINT must be http(s), got ${endpoint}`);
  } catch {
    problems.push(`S3_ENDPOINT is not a URL: ${endpoint}`);
  }
  if (!env.S3_ACCESS_KEY) problems.push('S3_ACCESS_KEY is required');
  if (!env.S3_SECRET_KEY) problems.push('S3_SECRET_KEY is required');
  const bucketPrefix = env.S3_BUCKET_PREFIX ?? 'custodian-';
  if (!/^[a-z0-9][a-z0-9.-]{0,40}$/.test(bucketPrefix)) problems.push(`S3_BUCKET_PREFIX must be lower-case letters, digits, dots and dashes: ${bucketPrefix}`);
  if (problems.length) throw new Error(`invalid storage configuration: ${problems.join('; ')}`);
  return { endpoint, accessKey: env.S3_ACCESS_KEY!, secretKey: env.S3_SECRET_KEY!, region: env.S3_REGION ?? 'us-east-1', bucketPrefix };
}
