import { IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IMPORT_MODES, QUOTE_MODES, type ImportMode, type QuoteMode } from '../../enums.js';
import { command } from '../../message.js';
import type { JobView } from '../../shared-types.js';

/**
 * Imports a CSV from the `imports` bucket into a list, as a job.
 * - `add` creates new contacts only, `update` changes existing ones only, `upsert` does both.
 * - `mapping` maps file columns to contact properties: `email`, `firstName`, `lastName`, `status`,
 *   `fields.<name>`, or `ignore`. Unmapped columns are recognised by name (email, first_name,
 *   firstName, last_name, lastName, status/subscription_status); any other becomes a custom field.
 * - With a status column, its values are applied; without one, new members are subscribed and
 *   nobody who unsubscribed or bounced is re-subscribed.
 * - `dryRun` validates every row and counts what would happen, writing nothing.
 * - `quotes`: `strict` (default) fails the import on a quote inside an unquoted field (CSV_STRAY_QUOTE,
 *   with the row); `lenient` keeps such a quote as a character, and a quoted field with text after
 *   its closing quote as written, and lists each repaired row (row, column, repair) in a file of its
 *   own. A quoted field never closed before the end of the file fails either way (CSV_UNBALANCED_QUOTES).
 */
export class StartImportV1 {
  @IsUUID() listId!: string;
  @IsIn(IMPORT_MODES) mode!: ImportMode;
  /** Key of the CSV in the `source` bucket (default imports); it must belong to the workspace. */
  @IsString() @MaxLength(1024) @Matches(/^[A-Za-z0-9_-]+\/(imports|backups)\//) objectKey!: string;
  /** `backups` when the backups service restores one of its files. */
  @IsOptional() @IsIn(['imports', 'backups']) source?: 'imports' | 'backups';
  /**
   * Restores: a member unsubscribed or bounced in the list now keeps that status, whatever the
   * file says (the file's statuses apply to everyone else).
   */
  @IsOptional() @IsBoolean() protectOptOuts?: boolean;
  /** Back the list up first whatever the origin (restores, so they can be undone); the policy still applies. */
  @IsOptional() @IsBoolean() snapshotFirst?: boolean;
  @IsOptional() @IsObject() mapping?: Record<string, string>;
  @IsOptional() @IsBoolean() dryRun?: boolean;
  @IsOptional() @IsIn([',', ';']) delimiter?: ',' | ';';
  @IsOptional() @IsIn(QUOTE_MODES) quotes?: QuoteMode;
  /** sha256 of the uploaded file, when the gateway received it: a retried upload is the same request. */
  @IsOptional() @Matches(/^[0-9a-f]{64}$/) fileSha256?: string;
  /** Same key, same request: the same job answers again. */
  @IsOptional() @IsString() @MaxLength(200) idempotencyKey?: string;
}

export const startImportV1 = command<StartImportV1, JobView>(
  'contacts.import.start.v1',
  StartImportV1,
  {
    listId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    mode: 'upsert',
    objectKey: 'w1/imports/2026/11/22/0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1.csv',
    mapping: { 'E-mail': 'email', Ciudad: 'fields.city' },
  },
  'JobView',
);
