import { randomUUID } from 'node:crypto';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { CLIENTS, ORIGINS, ROLES, type Client, type Origin, type Role } from './enums.js';

/** Who caused a change: a user of a workspace, or the system itself. */
export class Actor {
  @IsString() id!: string;
  @IsOptional() @IsIn(ROLES) role?: Role;
  @IsOptional() @IsIn(CLIENTS) client?: Client;
}

/** DESIGN §2: the envelope every JetStream event travels in. */
export class EventEnvelope<T = unknown> {
  @IsUUID() id!: string;
  /** Subject without the `events.` prefix and the version, e.g. `contacts.contact.created`. */
  @Matches(/^[a-z]+(\.[a-z-]+)+$/) type!: string;
  @IsInt() @Min(1) version!: number;
  @IsISO8601() occurredAt!: string;
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
}

export interface CommandRequest<T> {
  context: CommandContext;
  data: T;
}

export function systemContext(workspaceId: string, correlationId: string = randomUUID()): CommandContext {
  return { workspaceId, actor: { id: 'system' }, origin: 'system', correlationId };
}

const EVENT_SUBJECT = /^events\.([a-z]+(?:\.[a-z-]+)+)\.v(\d+)$/;

export function parseEventSubject(subject: string): { type: string; version: number } {
  const m = EVENT_SUBJECT.exec(subject);
  if (!m) throw new Error(`not an event subject: ${subject}`);
  return { type: m[1]!, version: Number(m[2]) };
}

export function createEnvelope<T>(subject: string, context: CommandContext, data: T, causationId?: string): EventEnvelope<T> {
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
    causationId,
    data,
  };
}

export function subjectOfEnvelope(envelope: Pick<EventEnvelope, 'type' | 'version'>): string {
  return `events.${envelope.type}.v${envelope.version}`;
}
