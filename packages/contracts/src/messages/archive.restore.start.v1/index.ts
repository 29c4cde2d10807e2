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
 * Restores archived contacts, by ids (up to 20,000, what fits in one message) or by a filter, as
 * a job (one at a time per workspace). Every contact is checked first; a refused one fails the
 * whole request with its reason.
 */
export class StartRestoreV1 {
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20_000) @IsUUID('all', { each: true }) contactIds?: string[];
  @IsOptional() @ValidateNested() @Type(() => ArchiveFilter) filter?: ArchiveFilter;
  @IsOptional() @IsBoolean() dryRun?: boolean;
  /** Needed when the restore would take the workspace past its active-contact limit. */
  @IsOptional() @IsBoolean() confirmOverage?: boolean;
  @IsOptional() @IsString() @MaxLength(200) idempotencyKey?: string;
}

/** How many restorable and refused contacts a preview lists at most. */
export const RESTORE_PREVIEW_SAMPLE = 1000;

/**
 * What a restore would bring back and drop (dry run): the counts, and a sample of each kind, so
 * the answer stays one small message whatever the number of contacts.
 */
export interface RestorePreview {
  dryRun: true;
  /** How many contacts would come back. */
  restorableCount: number;
  /**
   * The first of them in archive order (at most RESTORE_PREVIEW_SAMPLE, fewer when what they lose
   * would make too large an answer), each with what it would lose.
   */
  restorable: { contactId: string; email: string; drops: string[] }[];
  /** How many contacts are refused, and the first RESTORE_PREVIEW_SAMPLE of them with why. */
  refusedCount: number;
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
