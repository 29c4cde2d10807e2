import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { PROGRAM_KINDS, ProgramParts, RetargetingFilter, type ProgramKind, type ProgramView } from '../../interactions.js';
import { command } from '../../message.js';

/** Renames, re-tags or changes the steps, variants or retargeting filter of a campaign or canvas; what is left out stays. */
export class UpdateProgramV1 extends ProgramParts {
  @IsIn(PROGRAM_KINDS) kind!: ProgramKind;
  @IsUUID() id!: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(100, { each: true }) tags?: string[];
  @IsOptional() @ValidateNested() @Type(() => RetargetingFilter) retargeting?: RetargetingFilter;
}

export const updateProgramV1 = command<UpdateProgramV1, ProgramView>(
  'interactions.program.update.v1',
  UpdateProgramV1,
  { kind: 'campaign', id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', tags: ['promo', 'spring'] },
  'ProgramView',
);
