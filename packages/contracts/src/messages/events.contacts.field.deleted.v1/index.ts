import { IsInt, IsString, Min } from 'class-validator';
import { event } from '../../message.js';

/** A field definition was deleted; `valuesRemoved` contacts lost their value of it. */
export class FieldDeletedV1 {
  @IsString() name!: string;
  @IsInt() @Min(0) valuesRemoved!: number;
}

export const fieldDeletedV1 = event('events.contacts.field.deleted.v1', FieldDeletedV1, { name: 'birthday', valuesRemoved: 12 });
