import { CommonEnv, DAY, Duration, HOUR, SECOND } from '@custodian/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the archive service (documented in deploy/README.md). */
export class ArchiveEnv extends CommonEnv {
  @IsInt() @Min(0) @Max(65535) ARCHIVE_HTTP_PORT: number = 8083;
  /** An archived contact can be restored only after this long in the archive. */
  @Duration() ARCHIVE_FROZEN_FOR: number = 30 * DAY;
  /** ...and only until this long after archiving; then its snapshot is purged. */
  @Duration() ARCHIVE_RESTORABLE_FOR: number = 365 * DAY;
  @Duration() ARCHIVE_PURGE_INTERVAL: number = HOUR;
  /** Active-contact limits by plan. */
  @IsInt() @Min(0) ARCHIVE_CONTACT_LIMIT_FREE: number = 1_000;
  @IsInt() @Min(0) ARCHIVE_CONTACT_LIMIT_PRO: number = 100_000;
  @IsInt() @Min(0) ARCHIVE_CONTACT_LIMIT_ENTERPRISE: number = 10_000_000;
  @Duration() ARCHIVE_RESTORE_TIMEOUT: number = 2 * HOUR;
  @Duration() ARCHIVE_JOB_LEASE: number = 30 * SECOND;
  @Duration() ARCHIVE_COMMAND_TIMEOUT: number = 15 * SECOND;
  /** Contacts restored per transaction in contacts; each batch travels through object storage. */
  @IsInt() @Min(1) @Max(50_000) ARCHIVE_RESTORE_BATCH: number = 5_000;
  /** Batches with contacts at once: each is a transaction there, so two keep both its database and this side busy. */
  @IsInt() @Min(1) @Max(8) ARCHIVE_RESTORE_PARALLEL: number = 2;
  @IsInt() @Min(1) ARCHIVE_EVENT_MAX_DELIVER: number = 5;
}
