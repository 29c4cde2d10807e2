import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { JobView } from '../../shared-types.js';

/** Columns of the contacts dataset; custom fields are `fields.<name>`. */
export const CONTACT_DATASET_COLUMNS = ['id', 'email', 'firstName', 'lastName', 'createdAt', 'updatedAt', 'tags', 'lists'] as const;

/** A column a contacts dataset can have: one of CONTACT_DATASET_COLUMNS, or `fields.<name>` for a custom field. */
export function isContactDatasetField(field: string): boolean {
  return (CONTACT_DATASET_COLUMNS as readonly string[]).includes(field) || /^fields\.[^\0]{1,200}$/.test(field);
}

/**
 * Asks the contacts service (the data owner) to stream a workspace's contacts, or one list's, as
 * CSV into the exports bucket under `key`, as a job. `exportId` makes the request idempotent.
 * Ends with events.contacts.dataset.exported.v1 (or .failed.v1).
 */
export class ExportContactsDatasetV1 {
  @IsUUID() exportId!: string;
  @IsString() @MaxLength(1024) @Matches(/^[A-Za-z0-9_-]+\/exports\//) key!: string;
  @IsOptional() @IsUUID() listId?: string;
  /** Only contacts with this tag (case-insensitive). */
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  /** A subset of the columns, in this order; all of them (and every custom field) when absent. */
  @IsOptional() @IsArray() @ArrayMaxSize(200) @IsString({ each: true }) fields?: string[];
  @IsOptional() @IsIn([',', ';']) delimiter?: ',' | ';';
  @IsOptional() @IsBoolean() header?: boolean;
  /** IANA time zone of the timestamps; default CET. */
  @IsOptional() @IsString() @MaxLength(64) timeZone?: string;
  @IsOptional() @IsIn(['none', 'gzip']) compression?: 'none' | 'gzip';
}

export const exportContactsDatasetV1 = command<ExportContactsDatasetV1, JobView>(
  'contacts.dataset.export.v1',
  ExportContactsDatasetV1,
  {
    exportId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    key: 'w1/exports/2026/11/22/0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1.csv',
    fields: ['email', 'firstName', 'fields.city'],
    timeZone: 'Europe/Madrid',
  },
  'JobView',
);
