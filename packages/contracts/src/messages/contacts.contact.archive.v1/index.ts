import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { command } from '../../message.js';
import type { ContactSnapshot } from '../../snapshot.js';

/** Removes the contact from the live data and hands its complete snapshot to the archive (an event). */
export class ArchiveContactV1 {
  @IsUUID() id!: string;
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export const archiveContactV1 = command<ArchiveContactV1, { archived: true; snapshot: ContactSnapshot }>(
  'contacts.contact.archive.v1',
  ArchiveContactV1,
  { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1', reason: 'inactive' },
  '{ archived: true, snapshot: ContactSnapshot }',
);
