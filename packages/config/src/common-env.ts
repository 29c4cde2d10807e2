import { IsIn, IsOptional, IsString, IsUrl, Matches } from 'class-validator';

/** Object storage settings: validated here only, then handed to the storage package as they are. */
export class S3Env {
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'S3_ENDPOINT must be an http(s) URL' })
  S3_ENDPOINT: string = 'http://127.0.0.1:9000';
  @IsString() S3_ACCESS_KEY!: string;
  @IsString() S3_SECRET_KEY!: string;
  @IsString() S3_REGION: string = 'us-east-1';
  /** Buckets are named `<prefix><kind>`. */
  @Matches(/^[a-z0-9][a-z0-9.-]{0,40}$/, { message: 'S3_BUCKET_PREFIX must be lower-case letters, digits, dots and dashes' })
  S3_BUCKET_PREFIX: string = 'custodian-';
}

/** Variables every service reads. Apps extend this class with their own, prefixed by the app. */
export class CommonEnv extends S3Env {
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  /** Comma-separated NATS server URLs. */
  @IsString() NATS_SERVERS: string = 'nats://127.0.0.1:4222';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace']) LOG_LEVEL: string = 'info';
  /** Name of this replica in logs and job leases; defaults to host and pid. */
  @IsOptional() @IsString() INSTANCE_ID?: string;
  /** Interface the service's HTTP endpoints listen on (0.0.0.0 in containers). */
  @IsString() HTTP_HOST: string = '127.0.0.1';
}
