import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { command } from '../../message.js';
import type { ProgramView } from '../../interactions.js';

/** Campaigns and canvases whose interaction data will expire within `withinDays` (default 30), soonest first. */
export class ExpiringProgramsV1 {
  @IsOptional() @IsInt() @Min(0) @Max(3650) withinDays?: number;
}

export const expiringProgramsV1 = command<ExpiringProgramsV1, { items: ProgramView[] }>(
  'interactions.program.expiring.v1',
  ExpiringProgramsV1,
  { withinDays: 30 },
  '{ items: ProgramView[] }',
);
