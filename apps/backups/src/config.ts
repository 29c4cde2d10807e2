import { CommonEnv, DAY, Duration, HOUR, MINUTE, SECOND } from '@custodian/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the backups service (documented in deploy/README.md). */
export class BackupsEnv extends CommonEnv {
  @IsInt() @Min(0) @Max(65535) BACKUPS_HTTP_PORT: number = 8082;
  /** How long a backup is kept before it is deleted for good. */
  @Duration() BACKUPS_RETENTION: number = 30 * DAY;
  /** How often the retention sweeper looks for expired backups. */
  @Duration() BACKUPS_SWEEP_INTERVAL: number = HOUR;
  /** Lifetime of a download link. */
  @Duration() BACKUPS_DOWNLOAD_LINK_TTL: number = 15 * MINUTE;
  /** A restore running longer than this is discarded. */
  @Duration() BACKUPS_RESTORE_TIMEOUT: number = 2 * HOUR;
  @Duration() BACKUPS_JOB_LEASE: number = 30 * SECOND;
  @Duration() BACKUPS_COMMAND_TIMEOUT: number = 15 * SECOND;
  @IsInt() @Min(1) BACKUPS_EVENT_MAX_DELIVER: number = 5;
}
