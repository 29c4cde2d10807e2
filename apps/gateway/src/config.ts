import { Duration, S3Env, SECOND } from '@custodian/config';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';

/** Environment of the gateway (documented in deploy/README.md). The gateway keeps no domain state. */
export class GatewayEnv extends S3Env {
  @IsInt() @Min(0) @Max(65535) GATEWAY_PORT: number = 8080;
  @IsString() HTTP_HOST: string = '127.0.0.1';
  @IsString() NATS_SERVERS: string = 'nats://127.0.0.1:4222';
  /** HS256 key the bearer tokens are signed with. */
  @IsString() @MinLength(32) GATEWAY_JWT_SECRET!: string;
  @IsOptional() @IsString() GATEWAY_JWT_ISSUER?: string;
  @IsOptional() @IsString() GATEWAY_JWT_AUDIENCE?: string;
  /** Largest JSON body accepted, in bytes. */
  @IsInt() @Min(1024) GATEWAY_JSON_LIMIT_BYTES: number = 1_048_576;
  /** Largest CSV upload accepted, in bytes. */
  @IsInt() @Min(1024) GATEWAY_UPLOAD_LIMIT_BYTES: number = 2_147_483_648;
  @Duration() GATEWAY_COMMAND_TIMEOUT: number = 15 * SECOND;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace']) LOG_LEVEL: string = 'info';
}
