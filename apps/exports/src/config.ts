import { CommonEnv, DAY, Duration, Flag, MINUTE, SECOND } from '@custodian/config';
import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';

/** Environment of the exports service (documented in deploy/README.md). */
export class ExportsEnv extends CommonEnv {
  @IsInt() @Min(0) @Max(65535) EXPORTS_HTTP_PORT: number = 8085;
  /** An export running longer than this (from its start) is discarded. */
  @Duration() EXPORTS_TIMEOUT: number = 15 * MINUTE;
  /** After a discarded export, the workspace may request again this long after the discarded one was requested. */
  @Duration() EXPORTS_COOLDOWN: number = 30 * MINUTE;
  /** A file can be downloaded this long after it was requested; then it is deleted. */
  @Duration() EXPORTS_VALIDITY: number = 7 * DAY;
  /** The longest `from`–`to` range (a year; 366 days so that leap years fit). */
  @Duration() EXPORTS_MAX_RANGE: number = 366 * DAY;
  /** IANA time zone of timestamps when a request names none. */
  @IsString() EXPORTS_DEFAULT_TIME_ZONE: string = 'CET';
  /** Lifetime of a presigned download URL. */
  @Duration() EXPORTS_DOWNLOAD_URL_TTL: number = 5 * MINUTE;
  /** How often expired files are deleted. */
  @Duration() EXPORTS_SWEEP_INTERVAL: number = MINUTE;
  /** Notification attempts before giving up, the first retry after EXPORTS_NOTIFY_BACKOFF, doubling each time. */
  @IsInt() @Min(1) EXPORTS_NOTIFY_ATTEMPTS: number = 8;
  @Duration() EXPORTS_NOTIFY_BACKOFF: number = 10 * SECOND;
  @Duration() EXPORTS_NOTIFY_TIMEOUT: number = 10 * SECOND;
  /** `true` only in development and tests: notification URLs may be http and on loopback or private networks. */
  @Flag() EXPORTS_NOTIFY_ALLOW_PRIVATE: boolean = false;
  /** Encrypts the passwords of export destinations (any secret of 32 characters or more). */
  @IsString() @MinLength(32) EXPORTS_CREDENTIALS_KEY!: string;
  /** Delivery attempts to SFTP or WebDAV before it ends `failed`, the first retry after EXPORTS_DELIVERY_BACKOFF, doubling. */
  @IsInt() @Min(1) EXPORTS_DELIVERY_ATTEMPTS: number = 6;
  @Duration() EXPORTS_DELIVERY_BACKOFF: number = 30 * SECOND;
  @Duration() EXPORTS_DELIVERY_TIMEOUT: number = 30 * SECOND;
  /** `true` only in development and tests: destinations may be on loopback or private networks. */
  @Flag() EXPORTS_DELIVERY_ALLOW_PRIVATE: boolean = false;
  @Duration() EXPORTS_JOB_LEASE: number = 30 * SECOND;
  /** Exports in flight at once per replica (each mostly waits for its data owner). */
  @IsInt() @Min(1) EXPORTS_CONCURRENCY: number = 20;
  @IsInt() @Min(1) EXPORTS_EVENT_MAX_DELIVER: number = 5;
  /** How long a data owner may take to accept a dataset request. */
  @Duration() EXPORTS_COMMAND_TIMEOUT: number = 30 * SECOND;
}
