import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { IMPORT_MODES, type ImportMode } from '../../enums.js';
import { event } from '../../message.js';

/** One event per import (not one per row): the counters say what changed. */
export class ImportCompletedV1 {
  @IsUUID() jobId!: string;
  @IsUUID() listId!: string;
  @IsIn(IMPORT_MODES) mode!: ImportMode;
  @IsBoolean() dryRun!: boolean;
  @IsInt() @Min(0) rows!: number;
  @IsInt() @Min(0) created!: number;
  @IsInt() @Min(0) updated!: number;
  @IsInt() @Min(0) unchanged!: number;
  @IsInt() @Min(0) skipped!: number;
  @IsInt() @Min(0) failed!: number;
  @IsOptional() @IsString() rejectsKey?: string;
  /** Rows a lenient reading of quotes repaired (imported as repaired), listed in `repairsKey`. */
  @IsOptional() @IsInt() @Min(0) repaired?: number;
  @IsOptional() @IsString() repairsKey?: string;
}

export const importCompletedV1 = event('events.contacts.import.completed.v1', ImportCompletedV1, {
  jobId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  listId: '1b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  mode: 'upsert',
  dryRun: false,
  rows: 10,
  created: 4,
  updated: 3,
  unchanged: 1,
  skipped: 0,
  failed: 2,
});
