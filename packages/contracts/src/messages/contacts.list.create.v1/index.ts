import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { ListView } from '../../views.js';

export class CreateListV1 {
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
}

export const createListV1 = command<CreateListV1, ListView>('contacts.list.create.v1', CreateListV1, { name: 'Newsletter' }, 'ListView');
