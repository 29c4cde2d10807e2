import { IsString, Matches, MaxLength } from 'class-validator';
import { command } from '../../message.js';

/**
 * Which of many emails live contacts of the workspace use, through object storage so the count
 * does not matter: `emailsKey` is an archive object with one lower-cased email per line. The
 * emails in use are written the same way to `inUseKey` (see emailsInUseKey), which the reply names
 * with the counts.
 */
export class EmailsInUseV1 {
  @IsString()
  @MaxLength(1024)
  @Matches(/^[A-Za-z0-9_-]+\/archive\//, { message: 'emailsKey must be an archive object key' })
  emailsKey!: string;
}

export interface EmailsInUseReply {
  inUseKey: string;
  checked: number;
  inUse: number;
}

/** Where the emails in use are written: next to the emails checked, so both sides know it. */
export function emailsInUseKey(emailsKey: string): string {
  return emailsKey.replace(/(\.[a-z0-9]+)*$/, '-in-use.txt');
}

export const emailsInUseV1 = command<EmailsInUseV1, EmailsInUseReply>(
  'contacts.workspace.emails-in-use.v1',
  EmailsInUseV1,
  { emailsKey: 'ws-1/archive/2026/11/23/restore-check-0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1.txt' },
  'EmailsInUseReply',
);
