import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { command } from '../../message.js';
import type { JobView } from '../../shared-types.js';
import type { NotRestorableReason } from '../../views.js';
import { IsTimestamp } from '../../timestamp.js';

export class ArchiveFilter {
  @IsOptional() @IsString() @MaxLength(320) email?: string;
  @IsOptional() @IsUUID() listId?: string;
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @IsOptional() @IsTimestamp() archivedFrom?: string;
  @IsOptional() @IsTimestamp() archivedTo?: string;
}

/**
 * Restores archived contacts, by ids or by a filter, as a job (one at a time per workspace).
 * Every contact is checked first; a refused one fails the whole request with its reason.
 */
export class StartRestoreV1 {
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100_000) @IsUUID('all', { each: true }) contactIds?: string[];
  @IsOptional() @ValidateNested() @Type(() => ArchiveFilter) filter?: ArchiveFilter;
  @IsOptional() @IsBoolean() dryRun?: boolean;
  /** Needed when the restore would take the workspace past its active-contact limit. */
  @IsOptional() @IsBoolean() confirmOverage?: boolean;
  @IsOptional() @IsString() @MaxLength(200) idempotencyKey?: string;
}

/** What would come back and what would be dropped, per contact (dry run). */
export interface RestorePreview {
  dryRun: true;
  restorable: { contactId: string; email: string; drops: string[] }[];
  refused: { contactId: string; reason: NotRestorableReason | 'not_found' }[];
  activeContacts: number;
  limit: number;
  projected: number;
}

export const startRestoreV1 = command<StartRestoreV1, JobView | RestorePreview>(
  'archive.restore.start.v1',
  StartRestoreV1,
  {
    contactIds: ['0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1'],
    confirmOverage: false,
  },
  'JobView | RestorePreview',
);
