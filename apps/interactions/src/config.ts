import { CommonEnv, IsDuration } from '@custodian/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the interactions service (documented in deploy/README.md). */
export class InteractionsEnv extends CommonEnv {
  @IsInt() @Min(0) @Max(65535) INTERACTIONS_HTTP_PORT: number = 8084;
  /** The interaction data of a program stopped this long (and not retargeted by id) expires to object storage. */
  @IsDuration() INTERACTIONS_EXPIRE_AFTER: string = '90d';
  @IsInt() @Min(1) INTERACTIONS_EVENT_MAX_DELIVER: number = 5;
}
