import { CommonEnv, DAY, Duration, HOUR, SECOND } from '@custodian/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the interactions service (documented in deploy/README.md). */
export class InteractionsEnv extends CommonEnv {
  @IsInt() @Min(0) @Max(65535) INTERACTIONS_HTTP_PORT: number = 8084;
  /** The interaction data of a program stopped this long (and not retargeted by id) expires to object storage. */
  @Duration() INTERACTIONS_EXPIRE_AFTER: number = 90 * DAY;
  /** An event warns this long before a program's interaction data expires. */
  @Duration() INTERACTIONS_WARN_BEFORE: number = 7 * DAY;
  /** How often the expiry sweep looks for programs whose data is due; safe with replicas. */
  @Duration() INTERACTIONS_SWEEP_INTERVAL: number = DAY;
  @Duration() INTERACTIONS_JOB_LEASE: number = 30 * SECOND;
  /** Expiry and restore jobs running at once per replica: they wait on storage and PostgreSQL in turn, so more than the cores. */
  @IsInt() @Min(1) @Max(32) INTERACTIONS_JOB_CONCURRENCY: number = 4;
  /** An expiry or restore job running longer is discarded (and retried by the next sweep or request). */
  @Duration() INTERACTIONS_JOB_TIMEOUT: number = 2 * HOUR;
  @IsInt() @Min(1) INTERACTIONS_EVENT_MAX_DELIVER: number = 5;
}
