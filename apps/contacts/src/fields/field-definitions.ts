import {
  DomainError,
  ErrorCode,
  fieldDeletedV1,
  fieldNameProblem,
  fieldValueProblem,
  validationFailed,
  type CommandContext,
  type FieldType,
  type FieldView,
  type Page,
} from '@custodian/contracts';
import { boundedPage, encodeCursor, keysetPageSql } from '@custodian/persistence';
import { recordEvent } from '@custodian/messaging';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ContactsEnv } from '../config.js';
import { FIELD_HARD_LIMIT, type FieldLimits } from './field-limits.js';

/** Longest field name a restore defines again (names written before the 64-character rule may be longer). */
const RESTORED_NAME_MAX_LENGTH = 256;

export interface FieldDefinition {
  name: string;
  type: FieldType;
}

/**
 * Whose rules a write follows: `new` data (the API, imports) keeps to every rule; a `restore`
 * (of a backup or archived contacts) brings back what was there, so names are taken as they were
 * and fields may be defined past the workspace's limit, up to the hard limit.
 */
export type FieldWrite = 'new' | 'restore';

interface FieldRow {
  name: string;
  type: FieldType;
  created_at: Date;
}

/** The custom field definitions of each workspace (table `custom_field`) and the rules of their values. */
@Injectable()
export class FieldDefinitions {
  readonly limits: FieldLimits;

  constructor(@Inject(ContactsEnv) env: ContactsEnv) {
    this.limits = { fields: env.CONTACTS_FIELD_LIMIT, valueLength: env.CONTACTS_FIELD_VALUE_MAX_LENGTH, contactBytes: env.CONTACTS_FIELDS_MAX_BYTES };
  }

  /** A page of the workspace's definitions, in the order they were defined. */
  async list(em: EntityManager, workspaceId: string, page: { cursor?: string; limit?: number }): Promise<Page<FieldView>> {
    const limit = page.limit ?? 100;
    const query = keysetPageSql(
      'select name, type, created_at, id, created_at::text as cursor_at from custom_field',
      ['workspace_id = $1'],
      [workspaceId],
      ['created_at', 'id'],
      { cursor: page.cursor, limit },
    );
    const rows = (await em.query(query.sql, query.params)) as (FieldRow & { id: string; cursor_at: string })[];
    return boundedPage(rows, limit, toView, (last) => encodeCursor(last.cursor_at, last.id));
  }

  /** Defines one field; its name is checked and must be new regardless of case. */
  async define(em: EntityManager, workspaceId: string, name: string, type: FieldType): Promise<FieldView> {
    const problem = fieldNameProblem(name);
    if (problem) throw validationFailed('name', problem, `field name "${shown(name)}" ${problem}`);
    await this.lockDefinitions(em, workspaceId);
    const [taken] = (await em.query('select name from custom_field where workspace_id = $1 and lower(name) = lower($2)', [workspaceId, name])) as {
      name: string;
    }[];
    if (taken) throw new DomainError(ErrorCode.FieldNameTaken, `a field named "${taken.name}" already exists in this workspace`);
    await this.checkRoom(em, workspaceId, 1, 'new');
    const [row] = (await em.query('insert into custom_field (workspace_id, name, type) values ($1, $2, $3) returning name, type, created_at', [
      workspaceId,
      name,
      type,
    ])) as FieldRow[];
    return toView(row!);
  }

  /**
   * Deletes a definition. While contacts hold values of it, only with `removeValues`, which
   * removes them from every contact of the workspace in the same transaction.
   */
  async delete(em: EntityManager, context: CommandContext, name: string, removeValues: boolean): Promise<{ deleted: true; valuesRemoved: number }> {
    const ws = context.workspaceId;
    await this.lockDefinitions(em, ws);
    const [field] = (await em.query('select name from custom_field where workspace_id = $1 and lower(name) = lower($2)', [ws, name])) as { name: string }[];
    if (!field) throw new DomainError(ErrorCode.NotFound, `field "${name}" not found`);
    let valuesRemoved = 0;
    if (removeValues) {
      const [, n] = (await em.query('update contact set fields = fields - $2, updated_at = now() where workspace_id = $1 and fields ? $2', [
        ws,
        field.name,
      ])) as [unknown, number];
      valuesRemoved = n;
    } else {
      const [{ n }] = (await em.query('select count(*)::int as n from contact where workspace_id = $1 and fields ? $2', [ws, field.name])) as [{ n: number }];
      if (n > 0)
        throw new DomainError(ErrorCode.FieldInUse, `${n} contact(s) hold a value of field "${field.name}"; delete it with removeValues to remove them too`);
    }
    await em.query('delete from custom_field where workspace_id = $1 and name = $2', [ws, field.name]);
    await recordEvent(em, fieldDeletedV1, context, { name: field.name, valuesRemoved });
    return { deleted: true, valuesRemoved };
  }

  /**
   * The definition each of `names` refers to (compared case-insensitively), defining the missing
   * ones as `text` fields. New names must follow the name rules and fit the workspace's limit;
   * `path` prefixes the name in a validation error.
   */
  async resolve(em: EntityManager, workspaceId: string, names: Iterable<string>, write: FieldWrite, path = 'fields'): Promise<Map<string, FieldDefinition>> {
    const wanted = [...new Set(names)];
    const resolved = new Map<string, FieldDefinition>();
    if (!wanted.length) return resolved;
    const find = async () => {
      const rows = (await em.query(
        'select name, type from custom_field where workspace_id = $1 and lower(name) = any(select lower(n) from unnest($2::text[]) n)',
        [workspaceId, wanted],
      )) as FieldDefinition[];
      const byKey = new Map(rows.map((r) => [r.name.toLowerCase(), r]));
      for (const name of wanted) {
        const found = byKey.get(name.toLowerCase());
        if (found) resolved.set(name, found);
      }
    };
    await find();
    let missing = wanted.filter((n) => !resolved.has(n));
    if (!missing.length) return resolved;
    for (const name of missing) {
      const problem = write === 'new' ? fieldNameProblem(name) : restoredNameProblem(name);
      if (problem) throw validationFailed(`${path}.${shown(name)}`, problem, `field name "${shown(name)}" ${problem}`);
    }
    // Serialises new definitions per workspace: the limit holds, and two spellings of one new name become one field.
    await this.lockDefinitions(em, workspaceId);
    await find();
    missing = wanted.filter((n) => !resolved.has(n));
    // One definition per name regardless of case: the first spelling given names it.
    const fresh = new Map<string, string>();
    for (const name of missing) if (!fresh.has(name.toLowerCase())) fresh.set(name.toLowerCase(), name);
    if (!fresh.size) return resolved;
    await this.checkRoom(em, workspaceId, fresh.size, write, [...fresh.values()]);
    // Sorted: concurrent transactions insert in the same order.
    await em.query("insert into custom_field (workspace_id, name, type) select $1, n, 'text' from unnest($2::text[]) n order by n", [
      workspaceId,
      [...fresh.values()].sort(),
    ]);
    for (const name of missing) resolved.set(name, { name: fresh.get(name.toLowerCase())!, type: 'text' });
    return resolved;
  }

  /**
   * A write's custom fields under their defined names, each value checked against its field's
   * type and length, and the whole against the per-contact size. Two keys naming the same field
   * are refused. An empty string stays (an update removes the value with it).
   */
  async canonical(em: EntityManager, workspaceId: string, fields: Record<string, unknown>): Promise<Record<string, string>> {
    // Size first: a body of thousands of names is refused before any of them is looked up.
    const tooBig = this.sizeProblem(fields);
    if (tooBig) throw validationFailed('fields', tooBig, `the custom fields ${tooBig}`);
    const definitions = await this.resolve(em, workspaceId, Object.keys(fields), 'new');
    const out: Record<string, string> = {};
    const seenFrom = new Map<string, string>();
    for (const [key, value] of Object.entries(fields)) {
      if (typeof value !== 'string') throw validationFailed(`fields.${shown(key)}`, 'must be a string', `field ${shown(key)} must be a string`);
      const field = definitions.get(key)!;
      const earlier = seenFrom.get(field.name);
      if (earlier !== undefined)
        throw validationFailed(`fields.${key}`, `names the same field as "${earlier}"`, `"${earlier}" and "${key}" name the same field`);
      seenFrom.set(field.name, key);
      const problem = value === '' ? null : this.valueProblem(field, value);
      if (problem) throw validationFailed(`fields.${key}`, problem, `field ${field.name} ${problem}`);
      out[field.name] = value;
    }
    return out;
  }

  /** Why `value` cannot be stored in `field`, or null. */
  valueProblem(field: FieldDefinition, value: string): string | null {
    if (value.length > this.limits.valueLength) return `is longer than ${this.limits.valueLength} characters`;
    return fieldValueProblem(field.type, value);
  }

  /**
   * Why a contact cannot hold these fields all together, or null. The size is the UTF-8 bytes of
   * names and values (the same sum `fieldsBytesSql` computes in PostgreSQL).
   */
  sizeProblem(fields: Record<string, unknown>): string | null {
    let bytes = 0;
    for (const [name, value] of Object.entries(fields))
      bytes += Buffer.byteLength(name) + Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value));
    return bytes > this.limits.contactBytes ? `take ${bytes} bytes together; a contact's custom fields may take at most ${this.limits.contactBytes}` : null;
  }

  private async lockDefinitions(em: EntityManager, workspaceId: string): Promise<void> {
    await em.query("select pg_advisory_xact_lock(hashtextextended('contacts.custom_field:' || $1, 0))", [workspaceId]);
  }

  /** Refuses `adding` more fields past the limit (the workspace's for new data, the hard one for restores). */
  private async checkRoom(em: EntityManager, workspaceId: string, adding: number, write: FieldWrite, names: string[] = []): Promise<void> {
    const [{ n }] = (await em.query('select count(*)::int as n from custom_field where workspace_id = $1', [workspaceId])) as [{ n: number }];
    const limit = write === 'new' ? this.limits.fields : FIELD_HARD_LIMIT;
    if (n + adding <= limit) return;
    const which = names.length ? ` (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''})` : '';
    throw new DomainError(
      ErrorCode.FieldLimitReached,
      `the workspace has ${n} of its ${limit} custom fields; ${adding} more${which} would not fit: delete fields first`,
    );
  }
}

/** The names of the workspace's custom fields, in a stable order (the columns of its list snapshots and datasets). */
export async function definedFieldNames(em: EntityManager, workspaceId: string): Promise<string[]> {
  const rows = (await em.query('select name from custom_field where workspace_id = $1 order by lower(name), name', [workspaceId])) as { name: string }[];
  return rows.map((r) => r.name);
}

/** Names a restore brings back are taken as they were, within a bound that keeps headers and replies small. */
function restoredNameProblem(name: string): string | null {
  if (!name.trim()) return 'is empty';
  return [...name].length > RESTORED_NAME_MAX_LENGTH ? `is longer than ${RESTORED_NAME_MAX_LENGTH} characters` : null;
}

/** A name as an error message quotes it: long ones are cut. */
function shown(name: string): string {
  return name.length > 80 ? `${name.slice(0, 80)}…` : name;
}

/** The size `sizeProblem` measures, of a jsonb expression of custom fields. */
export function fieldsBytesSql(fields: string): string {
  return `coalesce((select sum(octet_length(e.key) + octet_length(e.value)) from jsonb_each_text(${fields}) e), 0)`;
}

function toView(row: FieldRow): FieldView {
  return { name: row.name, type: row.type, createdAt: row.created_at.toISOString() };
}
