import validator from 'validator';
import { CLIENTS, ORIGINS, ROLES } from './enums.js';
import { INTERACTION_TYPES } from './interactions.js';
import { isTimestamp } from './timestamp.js';

// The rules of EventEnvelope and of hot event payloads, written out by hand for consumers that
// read thousands of events a second (class-validator costs about 60 µs an event). contracts.spec
// checks that each agrees with its class on valid and broken samples; change both together.

type Plain = Record<string, unknown>;

function isObject(v: unknown): v is Plain {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function extra(v: Plain, allowed: ReadonlySet<string>): string | null {
  for (const key of Object.keys(v)) if (!allowed.has(key)) return `property ${key} should not exist`;
  return null;
}

const ENVELOPE_KEYS = new Set(['id', 'type', 'version', 'occurredAt', 'workspaceId', 'actor', 'origin', 'correlationId', 'causationId', 'data']);
const ACTOR_KEYS = new Set(['id', 'role', 'client']);

/** The first problem of an event envelope, or null when EventEnvelope's rules hold. */
export function envelopeProblem(p: unknown): string | null {
  if (!isObject(p)) return 'must be an object';
  const unknown = extra(p, ENVELOPE_KEYS);
  if (unknown) return unknown;
  if (typeof p.id !== 'string' || !validator.isUUID(p.id)) return 'id must be a UUID';
  if (typeof p.type !== 'string' || !/^[a-z]+(\.[a-z-]+)+$/.test(p.type)) return 'type must be <app>.<entity>.<past-verb>';
  if (typeof p.version !== 'number' || !Number.isInteger(p.version) || p.version < 1) return 'version must be an integer of at least 1';
  if (typeof p.occurredAt !== 'string' || !isTimestamp(p.occurredAt)) return 'occurredAt must be an ISO 8601 date';
  if (typeof p.workspaceId !== 'string') return 'workspaceId must be a string';
  if (!isObject(p.actor)) return 'actor must be an object';
  const actorExtra = extra(p.actor, ACTOR_KEYS);
  if (actorExtra) return `actor: ${actorExtra}`;
  if (typeof p.actor.id !== 'string') return 'actor.id must be a string';
  if (p.actor.role != null && !(ROLES as readonly unknown[]).includes(p.actor.role)) return 'actor.role is not a role';
  if (p.actor.client != null && !(CLIENTS as readonly unknown[]).includes(p.actor.client)) return 'actor.client is not a client';
  if (!(ORIGINS as readonly unknown[]).includes(p.origin)) return 'origin is not an origin';
  if (typeof p.correlationId !== 'string') return 'correlationId must be a string';
  if (p.causationId != null && typeof p.causationId !== 'string') return 'causationId must be a string';
  if (!isObject(p.data)) return 'data must be an object';
  return null;
}

const INTERACTION_KEYS = new Set(['programId', 'stepId', 'variantId', 'controlGroup', 'contactId', 'type', 'at']);

/** The first problem of an InteractionRecordedV1 payload, or null. */
export function interactionRecordedProblem(d: unknown): string | null {
  if (!isObject(d)) return 'must be an object';
  const unknown = extra(d, INTERACTION_KEYS);
  if (unknown) return unknown;
  if (typeof d.programId !== 'string' || !validator.isUUID(d.programId)) return 'programId must be a UUID';
  for (const key of ['stepId', 'variantId'] as const) {
    const v = d[key];
    if (v != null && (typeof v !== 'string' || v.length > 100)) return `${key} must be a string of at most 100 characters`;
  }
  if (d.controlGroup != null && typeof d.controlGroup !== 'boolean') return 'controlGroup must be a boolean';
  if (typeof d.contactId !== 'string' || !validator.isUUID(d.contactId)) return 'contactId must be a UUID';
  if (!(INTERACTION_TYPES as readonly unknown[]).includes(d.type)) return `type must be one of ${INTERACTION_TYPES.join(', ')}`;
  if (typeof d.at !== 'string' || !isTimestamp(d.at)) return 'at must be an ISO 8601 date';
  return null;
}
