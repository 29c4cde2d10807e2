import { SetMetadata } from '@nestjs/common';
import { messageSpec } from '@custodian/contracts';

export const EVENT_HANDLER = 'custodian:event-handler';

/** Marks a method `(envelope, em) => Promise<void>` as this app's handler of an event subject. */
export function OnEvent(subject: string): MethodDecorator {
  if (messageSpec(subject).kind !== 'event') throw new Error(`${subject} is not an event`);
  return SetMetadata(EVENT_HANDLER, subject);
}

export const EVENT_BATCH_HANDLER = 'custodian:event-batch-handler';

/**
 * Marks a method `(envelopes, em) => Promise<{ rejected? }>` as this app's handler of an event
 * subject in batches of up to `maxBatch` (bulk ingestion). There is no inbox row per event: the
 * handler must be idempotent by event id itself (a primary key does it). Events it rejects (with
 * a reason) go to the dead letters; the others are acknowledged once the transaction commits.
 */
export function OnEventBatch(subject: string, options: { maxBatch?: number } = {}): MethodDecorator {
  if (messageSpec(subject).kind !== 'event') throw new Error(`${subject} is not an event`);
  return SetMetadata(EVENT_BATCH_HANDLER, { subject, maxBatch: options.maxBatch ?? 1000 });
}
