import { IsIn, IsObject, IsString } from 'class-validator';
import { event } from '../../message.js';

/** A campaign or canvas was created, changed, started, stopped or resumed; `program` is its view after the change. */
export class ProgramChangedV1 {
  @IsIn(['created', 'updated', 'started', 'stopped', 'resumed']) change!: 'created' | 'updated' | 'started' | 'stopped' | 'resumed';
  @IsString() programId!: string;
  @IsObject() program!: object;
}

export const programChangedV1 = event('events.interactions.program.changed.v1', ProgramChangedV1, {
  change: 'stopped',
  programId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  program: { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', kind: 'campaign', status: 'stopped' },
});
