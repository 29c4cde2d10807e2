import type { ClassConstructor } from 'class-transformer';

/** A message of the platform: its subject (version included), payload class and a valid example. */
export interface MessageSpec<T extends object = object> {
  subject: string;
  kind: 'command' | 'event';
  payload: ClassConstructor<T>;
  /** A valid payload, used by tests and by consumers as documentation. */
  fixture: T;
  /** Only for commands: the shape of a successful reply, for documentation. */
  replyDescription?: string;
  /** Only for events read in bulk: the payload's rules written out for speed (see fast-checks.ts). */
  check?: (data: unknown) => string | null;
}

export function command<T extends object>(subject: string, payload: ClassConstructor<T>, fixture: T, replyDescription: string): MessageSpec<T> {
  if (!/^[a-z]+(\.[a-z-]+)+\.v\d+$/.test(subject) || subject.startsWith('events.')) throw new Error(`bad command subject ${subject}`);
  return { subject, kind: 'command', payload, fixture, replyDescription };
}

export function event<T extends object>(subject: string, payload: ClassConstructor<T>, fixture: T, check?: (data: unknown) => string | null): MessageSpec<T> {
  if (!/^events\.[a-z]+(\.[a-z-]+)+\.v\d+$/.test(subject)) throw new Error(`bad event subject ${subject}`);
  return { subject, kind: 'event', payload, fixture, ...(check ? { check } : {}) };
}
