import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { event } from '../../message.js';
import { ContactSnapshot, SNAPSHOT_FIXTURE } from '../../snapshot.js';

export class ContactArchivedV1 {
  @ValidateNested() @Type(() => ContactSnapshot) snapshot!: ContactSnapshot;
  @IsOptional() @IsString() reason?: string;
}

export const contactArchivedV1 = event('events.contacts.contact.archived.v1', ContactArchivedV1, { snapshot: SNAPSHOT_FIXTURE, reason: 'inactive' });
