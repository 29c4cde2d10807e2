import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { event } from '../../message.js';
import { IsTimestamp } from '../../timestamp.js';

/**
 * Published by the forms service when someone submits a form. The archive restores an archived
 * contact with this email at once (automatic restore).
 */
export class FormSubmittedV1 {
  @IsEmail() email!: string;
  @IsOptional() @IsString() @MaxLength(200) formId?: string;
  @IsTimestamp() submittedAt!: string;
}

export const formSubmittedV1 = event('events.forms.form.submitted.v1', FormSubmittedV1, {
  email: 'ada@example.com',
  formId: 'newsletter-signup',
  submittedAt: '2026-11-22T10:00:00.000Z',
});
