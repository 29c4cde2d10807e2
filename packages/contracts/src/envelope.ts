import { randomUUID } from 'node:crypto';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { CLIENTS, ORIGINS, ROLES, type Client, type Origin, type Role } from './enums.js';
import { IsTimestamp } from './timestamp.js';

/** Who caused a change: a user of a workspace, or the system itself. */
export class Actor {
  @IsString() id!: string;
  @IsOptional() @IsIn(ROLES) role?: Role;
  @IsOptional() @IsIn(CLIENTS) client?: Client;
}

/** The envelope every JetStream event travels in (docs/design.md, messaging). */
export class EventEnvelope<T = unknown> {
  @IsUUID() id!: string;
  /** Subject without the `events.` prefix and the version, e.g. `contacts.contact.created`. */
  @Matches(/^[a-z]+(\.[a-z-]+)+$/) type!: string;
  @IsInt() @Min(1) version!: number;
  @IsTimestamp() occurredAt!: string;
  @IsString() workspaceId!: string;
  @IsDefined() @ValidateNested() @Type(() => Actor) actor!: Actor;
  @IsIn(ORIGINS) origin!: Origin;
  @IsString() correlationId!: string;
  @IsOptional() @IsString() causationId?: string;
  @IsObject() data!: T;
}

/** What every command carries besides its data: the tenant, the caller, and tracing ids. */
export interface CommandContext {
  workspaceId: string;
  actor: Actor;
  origin: Origin;
  correlationId: string;
  plan?: string;
  /** The event this work acts on (see contextOf): the causation of the events it records. */
  causationId?: string;
}

export interface CommandRequest<T> {
  context: CommandContext;
  data: T;
}

export function systemContext(workspaceId: string, correlationId: string = randomUUID()): CommandContext {
  return { workspaceId, actor: { id: 'system' }, origin: 'system', correlationId };
}

/**
 * The context of work done because of an event (a handler acting on it): the event's workspace and
 * correlation id, the event as causation, and the event's actor and origin unless others are given
 * (the system acting on its own, say).
 */
export function contextOf(envelope: EventEnvelope, as: { actor?: Actor; origin?: Origin } = {}): CommandContext {
  return {
    workspaceId: envelope.workspaceId,
    actor: as.actor ?? envelope.actor,
    origin: as.origin ?? envelope.origin,
    correlationId: envelope.correlationId,
    causationId: envelope.id,
  };
}

const EVENT_SUBJECT = /^events\.([a-z]+(?:\.[a-z-]+)+)\.v(\d+)$/;

export function parseEventSubject(subject: string): { type: string; version: number } {
  const m = EVENT_SUBJECT.exec(subject);
  if (!m) throw new Error(`not an event subject: ${subject}`);
  return { type: m[1]!, version: Number(m[2]) };
}

export function createEnvelope<T>(subject: string, context: CommandContext, data: T): EventEnvelope<T> {
  const { type, version } = parseEventSubject(subject);
  return {
    id: randomUUID(),
    type,
    version,
    occurredAt: new Date().toISOString(),
    workspaceId: context.workspaceId,
    actor: context.actor,
    origin: context.origin,
    correlationId: context.correlationId,
    causationId: context.causationId,
    data,
  };
}

export function subjectOfEnvelope(envelope: Pick<EventEnvelope, 'type' | 'version'>): string {
  return `events.${envelope.type}.v${envelope.version}`;
}
