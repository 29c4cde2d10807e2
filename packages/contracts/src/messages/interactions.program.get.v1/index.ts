import { IsIn, IsUUID } from 'class-validator';
import { PROGRAM_KINDS, type ProgramKind, type ProgramView } from '../../interactions.js';
import { command } from '../../message.js';

export class GetProgramV1 {
  @IsIn(PROGRAM_KINDS) kind!: ProgramKind;
  @IsUUID() id!: string;
}

export const getProgramV1 = command<GetProgramV1, ProgramView>(
  'interactions.program.get.v1',
  GetProgramV1,
  { kind: 'campaign', id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' },
  'ProgramView',
);
