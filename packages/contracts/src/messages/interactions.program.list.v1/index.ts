import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PROGRAM_KINDS, ProgramStatus, type ProgramKind, type ProgramView } from '../../interactions.js';
import { command } from '../../message.js';
import { PageQuery, type Page } from '../../shared-types.js';

export class ListProgramsV1 extends PageQuery {
  @IsIn(PROGRAM_KINDS) kind!: ProgramKind;
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @IsOptional() @IsIn(Object.values(ProgramStatus)) status?: ProgramStatus;
}

export const listProgramsV1 = command<ListProgramsV1, Page<ProgramView>>(
  'interactions.program.list.v1',
  ListProgramsV1,
  { kind: 'canvas', status: 'active', limit: 50 },
  'Page<ProgramView>',
);
