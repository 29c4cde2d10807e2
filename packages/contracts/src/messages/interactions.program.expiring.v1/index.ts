import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { command } from '../../message.js';
import type { ProgramView } from '../../interactions.js';
import type { Page } from '../../shared-types.js';

/**
 * Campaigns and canvases whose interaction data will expire within `withinDays` (default 30),
 * soonest first, up to 1,000 a page (fewer when they would make too large an answer: follow
 * `nextCursor` until it is null).
 */
export class ExpiringProgramsV1 {
  @IsOptional() @IsInt() @Min(0) @Max(3650) withinDays?: number;
  @IsOptional() @IsString() cursor?: string;
}

export const expiringProgramsV1 = command<ExpiringProgramsV1, Page<ProgramView>>(
  'interactions.program.expiring.v1',
  ExpiringProgramsV1,
  { withinDays: 30 },
  'Page<ProgramView>',
);
