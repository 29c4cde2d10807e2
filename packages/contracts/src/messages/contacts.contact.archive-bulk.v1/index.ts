import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { JobView } from '../../shared-types.js';

/**
 * Archives every contact that matches the filter (all given criteria must hold), as a job; each
 * contact leaves with its own snapshot event, as a single archive does. At least one criterion.
 */
export class ArchiveContactsV1 {
  @IsOptional() @IsUUID() listId?: string;
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(10_000) @IsEmail({}, { each: true }) emails?: string[];
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
  @IsOptional() @IsString() @MaxLength(200) idempotencyKey?: string;
}

export const archiveContactsV1 = command<ArchiveContactsV1, JobView>(
  'contacts.contact.archive-bulk.v1',
  ArchiveContactsV1,
  {
    listId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
    tag: 'inactive',
    reason: 'cleanup',
  },
  'JobView',
);
