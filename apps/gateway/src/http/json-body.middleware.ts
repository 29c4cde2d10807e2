import { DomainError, ErrorCode, type ErrorBody } from '@custodian/contracts';
import express, { type NextFunction, type Request, type Response } from 'express';
import { fromBodyParserError, problemOf } from './problem.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

function sendProblem(req: Request, res: Response, body: ErrorBody): void {
  const problem = problemOf(body, req.originalUrl);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/**
 * Body handling for /v1, before Nest's routing: a body must be JSON (uploads excepted, their
 * routes stream them) and at most `limit` bytes. Errors here answer as problems directly, since
 * Express middleware errors never reach Nest's exception filters.
 */
export function jsonBody(limit: number) {
  const parse = express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
  return (req: Request, res: Response, next: NextFunction): void => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!WITH_BODY.has(req.method) || !hasBody || !/^\/v1\//i.test(req.path)) return next();
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (req.path === '/v1/imports' && (type.startsWith('multipart/form-data') || type.startsWith('text/csv'))) return next();
    if (!(type.startsWith('application/json') || /^application\/[\w.+-]*\+json/.test(type))) {
      return sendProblem(
        req,
        res,
        new DomainError(ErrorCode.UnsupportedMediaType, `content type "${type || 'none'}" is not accepted here; send application/json`).toBody(),
      );
    }
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      sendProblem(req, res, fromBodyParserError(err) ?? { code: ErrorCode.MalformedJson, message: 'request body could not be read' });
    });
  };
}
