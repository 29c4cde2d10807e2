import { CommonEnv, IsDuration } from '@custodian/config';
import { IsInt, Max, Min } from 'class-validator';

/** Environment of the contacts service (documented in deploy/README.md). */
export class ContactsEnv extends CommonEnv {
  @IsInt() @Min(0) @Max(65535) CONTACTS_HTTP_PORT: number = 8081;
  /** Longest CSV line an import accepts, in bytes. */
  @IsInt() @Min(1024) CONTACTS_IMPORT_MAX_LINE_BYTES: number = 1_048_576;
  /** An import running longer than this is discarded. */
  @IsDuration() CONTACTS_IMPORT_TIMEOUT: string = '2h';
  @IsDuration() CONTACTS_JOB_LEASE: string = '30s';
  @IsInt() @Min(1) @Max(16) CONTACTS_JOB_CONCURRENCY: number = 2;
  @IsInt() @Min(1) CONTACTS_EVENT_MAX_DELIVER: number = 5;
}
