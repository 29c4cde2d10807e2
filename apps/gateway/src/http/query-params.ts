import { DomainError, ErrorCode } from '@custodian/contracts';
import { applyDecorators, Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ApiQuery } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

const QUERY_PARAMS = 'custodian:query-params';

/** A query parameter as the OpenAPI shows it. */
export interface QueryParam {
  name: string;
  type?: StringConstructor | NumberConstructor | BooleanConstructor;
  description?: string;
}

/** The paging parameters of a list route. */
export const PAGE_PARAMS: QueryParam[] = [
  { name: 'cursor', type: String, description: 'nextCursor of the previous page' },
  { name: 'limit', type: Number, description: 'at most this many items (1 to 500)' },
];

/**
 * The query parameters of a route that reads the whole query string (`@Query()`): documented in
 * the OpenAPI, and the only ones it accepts. A route that names its parameters (`@Query('name')`)
 * needs no declaration.
 */
export function QueryParams(...params: (string | QueryParam)[]): MethodDecorator {
  const options = params.map((p): QueryParam => (typeof p === 'string' ? { name: p } : p));
  return applyDecorators(
    SetMetadata(
      QUERY_PARAMS,
      options.map((o) => o.name),
    ),
    ...options.map((o) => ApiQuery({ type: String, ...o, required: false })),
  );
}

/** The query parameters a route handler accepts: the ones it names with `@Query('name')` and the ones it declares with `@QueryParams`. */
export function queryParamsOf(controller: object, handler: (...args: never[]) => unknown): string[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<string, { index: number; data?: unknown }>;
  const named = Object.entries(args)
    .filter(([key, arg]) => key.split(':')[0] === String(RouteParamtypes.QUERY) && typeof arg.data === 'string')
    .sort(([, a], [, b]) => a.index - b.index)
    .map(([, arg]) => arg.data as string);
  return [...new Set([...named, ...((Reflect.getMetadata(QUERY_PARAMS, handler) ?? []) as string[])])];
}

/**
 * Refuses a query string with a parameter the route does not take (a typo such as `limti` would
 * otherwise be ignored) or with a parameter given twice (`limit=10&limit=20`: which one counts?),
 * as MALFORMED_QUERY naming the parameter, before the route runs.
 */
@Injectable()
export class QueryParamsInterceptor implements NestInterceptor {
  /** Each handler's parameters, read from its metadata once. */
  private readonly allowedOf = new WeakMap<object, string[]>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const handler = context.getHandler() as (...args: never[]) => unknown;
    let allowed = this.allowedOf.get(handler);
    if (!allowed) this.allowedOf.set(handler, (allowed = queryParamsOf(context.getClass(), handler)));
    for (const [name, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
      if (!allowed.includes(name)) {
        const takes = allowed.length ? `it takes ${allowed.join(', ')}` : 'it takes none';
        throw new DomainError(ErrorCode.MalformedQuery, `unknown query parameter "${name}" for ${req.method} ${req.path}: ${takes}`, {
          errors: [{ path: name, message: `is not a query parameter of this route (${takes})` }],
        });
      }
      if (typeof value !== 'string') {
        throw new DomainError(ErrorCode.MalformedQuery, `query parameter "${name}" is given more than once`, {
          errors: [{ path: name, message: 'is given more than once' }],
        });
      }
    }
    return next.handle();
  }
}
