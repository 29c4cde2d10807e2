import { randomUUID } from 'node:crypto';
import { withLogContext } from '@custodian/observability';
import type { NextFunction, Request, Response } from 'express';

const ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Every request gets a correlation id (the caller's, if well formed); it travels with commands and events. */
export function correlation(req: Request, res: Response, next: NextFunction): void {
  const given = req.header('x-correlation-id');
  const id = given && ID.test(given) ? given : randomUUID();
  (req as Request & { correlationId: string }).correlationId = id;
  res.setHeader('X-Correlation-Id', id);
  withLogContext({ correlationId: id }, next);
}
