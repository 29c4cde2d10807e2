import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { TagView } from '../../views.js';

export class CreateTagV1 {
  @IsString() @IsNotEmpty() @MaxLength(100) name!: string;
}

export const createTagV1 = command<CreateTagV1, TagView>('contacts.tag.create.v1', CreateTagV1, { name: 'vip' }, 'TagView');
