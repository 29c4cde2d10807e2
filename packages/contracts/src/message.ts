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

declare const reply: unique symbol;

/** A command: its payload and, as a type only, what a successful reply carries (`R`). */
export interface CommandSpec<P extends object = object, R = unknown> extends MessageSpec<P> {
  kind: 'command';
  replyDescription: string;
  /** Never set: the reply's type, so senders and handlers of the command are checked against it. */
  readonly [reply]?: R;
}

/** An event and its payload. */
export interface EventSpec<P extends object = object> extends MessageSpec<P> {
  kind: 'event';
}

/** The payload of a message spec (of each, for a union of specs). */
export type PayloadOf<S> = S extends MessageSpec<infer P> ? P : never;
/** What a successful reply to a command carries. */
export type ReplyOf<S> = S extends CommandSpec<object, infer R> ? R : never;

/** A command whose successful reply is an `R`: `command<Payload, Reply>(subject, Payload, fixture, 'Reply')`. */
export function command<P extends object, R>(subject: string, payload: ClassConstructor<P>, fixture: P, replyDescription: string): CommandSpec<P, R> {
  if (!/^[a-z]+(\.[a-z-]+)+\.v\d+$/.test(subject) || subject.startsWith('events.')) throw new Error(`bad command subject ${subject}`);
  return { subject, kind: 'command', payload, fixture, replyDescription };
}

export function event<T extends object>(subject: string, payload: ClassConstructor<T>, fixture: T, check?: (data: unknown) => string | null): EventSpec<T> {
  if (!/^events\.[a-z]+(\.[a-z-]+)+\.v\d+$/.test(subject)) throw new Error(`bad event subject ${subject}`);
  return { subject, kind: 'event', payload, fixture, ...(check ? { check } : {}) };
}
