import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { PROGRAM_KINDS, ProgramParts, RetargetingFilter, type ProgramKind, type ProgramView } from '../../interactions.js';
import { command } from '../../message.js';

/** Creates a campaign or a canvas, as a draft. */
export class CreateProgramV1 extends ProgramParts {
  @IsIn(PROGRAM_KINDS) kind!: ProgramKind;
  @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(100, { each: true }) tags?: string[];
  @IsOptional() @ValidateNested() @Type(() => RetargetingFilter) retargeting?: RetargetingFilter;
}

export const createProgramV1 = command<CreateProgramV1, ProgramView>(
  'interactions.program.create.v1',
  CreateProgramV1,
  {
    kind: 'campaign',
    name: 'Spring sale',
    tags: ['promo'],
    variants: [
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
    ],
  },
  'ProgramView',
);
