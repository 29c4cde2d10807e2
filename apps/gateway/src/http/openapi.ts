import { createRequire } from 'node:module';
import '@custodian/contracts';
import type { ApiBodyOptions } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';

type Schema = { properties?: Record<string, unknown>; required?: string[]; [k: string]: unknown };

// class-transformer's metadata (nested @Type) lives in its CommonJS build, the one the contracts load.
const require = createRequire(import.meta.url);
const { defaultMetadataStorage } = require('class-transformer/cjs/storage.js') as { defaultMetadataStorage: unknown };

/** JSON schemas of every payload class of the contracts, for the OpenAPI document. */
export const CONTRACT_SCHEMAS = validationMetadatasToSchemas({
  refPointerPrefix: '#/components/schemas/',
  classTransformerMetadataStorage: defaultMetadataStorage as never,
}) as unknown as Record<string, Schema>;

/**
 * The request body schema of a route: a contract class, less the properties the route takes from
 * its path or headers (an `id`, an `idempotencyKey`).
 */
export function bodyOf(className: string, ...omit: string[]): ApiBodyOptions {
  const schema = CONTRACT_SCHEMAS[className];
  if (!schema) throw new Error(`no schema for ${className}`);
  const omitted = ['idempotencyKey', ...omit];
  return {
    schema: <never>{
      ...schema,
      properties: Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => !omitted.includes(k))),
      required: (schema.required ?? []).filter((k: string) => !omitted.includes(k)),
    },
  };
}

/** What every paged route says about its pages (see boundedPage in packages/persistence). */
export const PAGE_DESCRIPTION =
  'A page holds up to `limit` items, and fewer when more would make too large an answer (about 512 KB of items): ' +
  'a short page is no sign of the end. `nextCursor` is the only end-of-data signal: follow it until it is null, ' +
  'and every item comes exactly once.';
