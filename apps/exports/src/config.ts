import { CommonEnv, IsDuration } from '@custodian/config';
import { IsIn, IsInt, IsString, Max, Min, MinLength } from 'class-validator';

/** Environment of the exports service (documented in deploy/README.md). */
export class ExportsEnv extends CommonEnv {
  @IsInt() @Min(0) @Max(65535) EXPORTS_HTTP_PORT: number = 8085;
  /** An export running longer than this (from its start) is discarded. */
  @IsDuration() EXPORTS_TIMEOUT: string = '15m';
  /** After a discarded export, the workspace may request again this long after the discarded one was requested. */
  @IsDuration() EXPORTS_COOLDOWN: string = '30m';
  /** A file can be downloaded this long after it was requested; then it is deleted. */
  @IsDuration() EXPORTS_VALIDITY: string = '7d';
  /** The longest `from`–`to` range (a year; 366 days so that leap years fit). */
  @IsDuration() EXPORTS_MAX_RANGE: string = '366d';
  /** IANA time zone of timestamps when a request names none. */
  @IsString() EXPORTS_DEFAULT_TIME_ZONE: string = 'CET';
  /** Lifetime of a presigned download URL. */
  @IsDuration() EXPORTS_DOWNLOAD_URL_TTL: string = '5m';
  /** How often expired files are deleted. */
  @IsDuration() EXPORTS_SWEEP_INTERVAL: string = '1m';
  /** Notification attempts before giving up, the first retry after EXPORTS_NOTIFY_BACKOFF, doubling each time. */
  @IsInt() @Min(1) EXPORTS_NOTIFY_ATTEMPTS: number = 8;
  @IsDuration() EXPORTS_NOTIFY_BACKOFF: string = '10s';
  @IsDuration() EXPORTS_NOTIFY_TIMEOUT: string = '10s';
  /** `true` only in development and tests: notification URLs may be http and on loopback or private networks. */
  @IsIn(['true', 'false']) EXPORTS_NOTIFY_ALLOW_PRIVATE: string = 'false';
  /** Encrypts the passwords of export destinations (any secret of 32 characters or more). */
  @IsString() @MinLength(32) EXPORTS_CREDENTIALS_KEY!: string;
  /** Delivery attempts to SFTP or WebDAV before it ends `failed`, the first retry after EXPORTS_DELIVERY_BACKOFF, doubling. */
  @IsInt() @Min(1) EXPORTS_DELIVERY_ATTEMPTS: number = 6;
  @IsDuration() EXPORTS_DELIVERY_BACKOFF: string = '30s';
  @IsDuration() EXPORTS_DELIVERY_TIMEOUT: string = '30s';
  /** `true` only in development and tests: destinations may be on loopback or private networks. */
  @IsIn(['true', 'false']) EXPORTS_DELIVERY_ALLOW_PRIVATE: string = 'false';
  @IsDuration() EXPORTS_JOB_LEASE: string = '30s';
  /** Exports in flight at once per replica (each mostly waits for its data owner). */
  @IsInt() @Min(1) EXPORTS_CONCURRENCY: number = 20;
  @IsInt() @Min(1) EXPORTS_EVENT_MAX_DELIVER: number = 5;
  /** How long a data owner may take to accept a dataset request. */
  @IsDuration() EXPORTS_COMMAND_TIMEOUT: string = '30s';
}
