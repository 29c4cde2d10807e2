import { IsEmail, IsUUID } from 'class-validator';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

export class ArchivedContactRecordedV1 {
  @IsUUID() contactId!: string;
  @IsEmail() email!: string;
  @IsTimestamp() archivedAt!: string;
  @IsTimestamp() restorableFrom!: string;
  @IsTimestamp() restorableUntil!: string;
}

export const archivedContactRecordedV1 = event('events.archive.contact.recorded.v1', ArchivedContactRecordedV1, {
  contactId: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1',
  email: 'ada@example.com',
  archivedAt: '2026-01-01T00:00:00.000Z',
  restorableFrom: '2026-01-31T00:00:00.000Z',
  restorableUntil: '2027-01-01T00:00:00.000Z',
});
