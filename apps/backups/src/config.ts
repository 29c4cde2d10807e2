import { CommonEnv, IsDuration } from '@custodian/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the backups service (documented in deploy/README.md). */
export class BackupsEnv extends CommonEnv {
  @IsInt() @Min(0) @Max(65535) BACKUPS_HTTP_PORT: number = 8082;
  /** How long a backup is kept before it is deleted for good. */
  @IsDuration() BACKUPS_RETENTION: string = '30d';
  /** How often the retention sweeper looks for expired backups. */
  @IsDuration() BACKUPS_SWEEP_INTERVAL: string = '1h';
  /** Lifetime of a download link. */
  @IsDuration() BACKUPS_DOWNLOAD_LINK_TTL: string = '15m';
  /** A restore running longer than this is discarded. */
  @IsDuration() BACKUPS_RESTORE_TIMEOUT: string = '2h';
  @IsDuration() BACKUPS_JOB_LEASE: string = '30s';
  @IsDuration() BACKUPS_COMMAND_TIMEOUT: string = '15s';
  @IsInt() @Min(1) BACKUPS_EVENT_MAX_DELIVER: number = 5;
}
