import { SetMetadata } from '@nestjs/common';
import { messageSpec } from '@custodian/contracts';

export const EVENT_HANDLER = 'custodian:event-handler';

/** Marks a method `(envelope, em) => Promise<void>` as this app's handler of an event subject. */
export function OnEvent(subject: string): MethodDecorator {
  if (messageSpec(subject).kind !== 'event') throw new Error(`${subject} is not an event`);
  return SetMetadata(EVENT_HANDLER, subject);
}
