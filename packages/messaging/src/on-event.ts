import { SetMetadata } from '@nestjs/common';
import type { EventSpec } from '@custodian/contracts';
import type { EventBatchHandler, EventHandler } from './event-consumer.js';

export const EVENT_HANDLER = 'custodian:event-handler';

/** Marks a method `(envelope, em) => Promise<void>` as this app's handler of an event; the compiler checks it takes the event's payload. */
export function OnEvent<P extends object>(spec: EventSpec<P>) {
  return <M extends EventHandler<P>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    SetMetadata(EVENT_HANDLER, spec.subject)(target, key, descriptor);
  };
}

export const EVENT_BATCH_HANDLER = 'custodian:event-batch-handler';

/**
 * Marks a method `(envelopes, em) => Promise<{ rejected? }>` as this app's handler of an event
 * subject in batches of up to `maxBatch` (bulk ingestion). There is no inbox row per event: the
 * handler must be idempotent by event id itself (a primary key does it). Events it rejects (with
 * a reason) go to the dead letters; the others are acknowledged once the transaction commits.
 */
export function OnEventBatch<P extends object>(spec: EventSpec<P>, options: { maxBatch?: number } = {}) {
  return <M extends EventBatchHandler<P>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    SetMetadata(EVENT_BATCH_HANDLER, { subject: spec.subject, maxBatch: options.maxBatch ?? 1000 })(target, key, descriptor);
  };
}
