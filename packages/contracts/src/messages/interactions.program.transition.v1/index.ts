import { IsIn, IsUUID } from 'class-validator';
import { PROGRAM_KINDS, type ProgramKind, type ProgramView } from '../../interactions.js';
import { command } from '../../message.js';

/**
 * start: a draft becomes active. stop: an active one stops (its interaction data expires after
 * the configured time unless an active program names it in a retargeting filter). resume: a
 * stopped one is active again.
 */
export class TransitionProgramV1 {
  @IsIn(PROGRAM_KINDS) kind!: ProgramKind;
  @IsUUID() id!: string;
  @IsIn(['start', 'stop', 'resume']) action!: 'start' | 'stop' | 'resume';
}

export const transitionProgramV1 = command<TransitionProgramV1, ProgramView>(
  'interactions.program.transition.v1',
  TransitionProgramV1,
  { kind: 'campaign', id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', action: 'stop' },
  'ProgramView',
);
