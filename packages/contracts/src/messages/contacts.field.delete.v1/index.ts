import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { command } from '../../message.js';

/**
 * Deletes a field definition (the name is matched case-insensitively). A field that contacts
 * still hold values for is deleted only with `removeValues`, which removes those values too.
 */
export class DeleteFieldV1 {
  @IsString() @MaxLength(256) name!: string;
  @IsOptional() @IsBoolean() removeValues?: boolean;
}

export const deleteFieldV1 = command<DeleteFieldV1, { deleted: true; valuesRemoved: number }>(
  'contacts.field.delete.v1',
  DeleteFieldV1,
  { name: 'birthday', removeValues: true },
  '{ deleted: true, valuesRemoved: number }',
);
