import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { FIELD_TYPES, type FieldType } from '../../fields.js';
import { command } from '../../message.js';
import type { FieldView } from '../../views.js';

/** Defines a custom field ahead of its first value (the name rules are in fields.ts). */
export class DefineFieldV1 {
  @IsString() @MaxLength(256) name!: string;
  /** `text` when absent. Values of `number` and `date` fields are checked on every write. */
  @IsOptional() @IsIn(FIELD_TYPES) type?: FieldType;
}

export const defineFieldV1 = command<DefineFieldV1, FieldView>('contacts.field.define.v1', DefineFieldV1, { name: 'birthday', type: 'date' }, 'FieldView');
