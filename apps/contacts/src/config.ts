import { CommonEnv, DAY, Duration, HOUR, SECOND } from '@custodian/config';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { FIELD_HARD_LIMIT } from './fields/field-limits.js';

/** Environment of the contacts service (documented in deploy/README.md). */
export class ContactsEnv extends CommonEnv {
  @IsInt() @Min(0) @Max(65535) CONTACTS_HTTP_PORT: number = 8081;
  /** Longest CSV record an import accepts, in characters (delimiters and quotes included). */
  @IsInt() @Min(1024) CONTACTS_IMPORT_MAX_LINE_BYTES: number = 1_048_576;
  /** Most columns a CSV record of an import may have, empty ones included. */
  @IsInt() @Min(10) CONTACTS_IMPORT_MAX_COLUMNS: number = 1000;
  /** An import running longer than this is discarded. */
  @Duration() CONTACTS_IMPORT_TIMEOUT: number = 2 * HOUR;
  /** Memory PostgreSQL may use for the hash joins and sorts of one import (e.g. 64MB). */
  @Matches(/^\d+(kB|MB|GB)$/) CONTACTS_IMPORT_WORK_MEM: string = '64MB';
  /** Memory for an import's staging tables per connection before they spill to disk (e.g. 64MB). */
  @Matches(/^\d+(kB|MB|GB)$/) CONTACTS_TEMP_BUFFERS: string = '64MB';
  @Duration() CONTACTS_JOB_LEASE: number = 30 * SECOND;
  @IsInt() @Min(1) @Max(16) CONTACTS_JOB_CONCURRENCY: number = 2;
  @IsInt() @Min(1) CONTACTS_EVENT_MAX_DELIVER: number = 5;
  /** How long the files of an ended import (the upload, its rejected and repaired rows) are kept. */
  @Duration() CONTACTS_IMPORT_FILES_RETENTION: number = 7 * DAY;
  /** How often the import files past their retention are looked for. */
  @Duration() CONTACTS_SWEEP_INTERVAL: number = HOUR;
  /** Custom fields a workspace may define (restores may go past it, up to the hard limit of 1,600). */
  @IsInt() @Min(1) @Max(FIELD_HARD_LIMIT) CONTACTS_FIELD_LIMIT: number = 500;
  /** Longest custom field value a write accepts, in characters. */
  @IsInt() @Min(1) @Max(1_000_000) CONTACTS_FIELD_VALUE_MAX_LENGTH: number = 4_000;
  /** Most bytes the custom fields of one contact may take (as JSON), so any one contact fits in a reply. */
  @IsInt() @Min(1024) @Max(262_144) CONTACTS_FIELDS_MAX_BYTES: number = 32_768;
}
