import { DomainError, ErrorCode, type ErrorBody } from '@custodian/contracts';
import { ArgumentsHost, Catch, HttpException, HttpStatus, Inject, type ExceptionFilter } from '@nestjs/common';
import { LOGGER, type Logger } from '@custodian/observability';
import type { Request, Response } from 'express';

/** Every error code has exactly one HTTP status; the switch is exhaustive, so a new code needs one. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.ValidationFailed:
      return 422;
    case ErrorCode.MalformedJson:
      return 400;
    case ErrorCode.MalformedQuery:
      return 400;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.ReplyTooLarge:
      return 422;
    case ErrorCode.OptOutProtected:
      return 409;
    case ErrorCode.UnsupportedMediaType:
      return 415;
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.PlanRequired:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.RouteNotFound:
      return 404;
    case ErrorCode.EmailTaken:
      return 409;
    case ErrorCode.ListNameTaken:
      return 409;
    case ErrorCode.TagNameTaken:
      return 409;
    case ErrorCode.FieldNameTaken:
      return 409;
    case ErrorCode.FieldLimitReached:
      return 409;
    case ErrorCode.FieldInUse:
      return 409;
    case ErrorCode.MergeSameContact:
      return 422;
    case ErrorCode.EmailInUse:
      return 409;
    case ErrorCode.ContactMerged:
      return 409;
    case ErrorCode.ContactExists:
      return 409;
    case ErrorCode.DealPrimaryInvalid:
      return 422;
    case ErrorCode.IdempotencyKeyReused:
      return 422;
    case ErrorCode.JobAlreadyRunning:
      return 409;
    case ErrorCode.ImportFileInvalid:
      return 422;
    case ErrorCode.ImportObjectMissing:
      return 422;
    case ErrorCode.RestoreRefused:
      return 422;
    case ErrorCode.ActiveContactLimit:
      return 409;
    case ErrorCode.BackupExpired:
      return 410;
    case ErrorCode.BackupCorrupt:
      return 422;
    case ErrorCode.ProgramStateInvalid:
      return 409;
    case ErrorCode.InteractionDataExpired:
      return 409;
    case ErrorCode.UnknownProgram:
      return 422;
    case ErrorCode.SegmentCorrupt:
      return 422;
    case ErrorCode.ExportExpired:
      return 410;
    case ErrorCode.ExportCoolingDown:
      return 429;
    case ErrorCode.DestinationNotAllowed:
      return 422;
    case ErrorCode.NotificationUrlRefused:
      return 422;
    case ErrorCode.ServiceUnavailable:
      return 503;
    case ErrorCode.Internal:
      return 500;
    default: {
      const unmapped: never = code;
      throw new Error(`no HTTP status for error code ${String(unmapped)}`);
    }
  }
}

export interface Problem extends ErrorBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
}

export function problemOf(body: ErrorBody, instance?: string): Problem {
  const status = httpStatusOf(body.code);
  return {
    type: `https://custodian.dev/problems/${body.code.toLowerCase().replace(/_/g, '-')}`,
    title: body.code
      .toLowerCase()
      .replace(/_/g, ' ')
      .replace(/^./, (c) => c.toUpperCase()),
    status,
    detail: body.message,
    instance,
    ...body,
  };
}

/** Express body-parser and framework errors, turned into stable codes. */
export function fromBodyParserError(err: unknown): ErrorBody | null {
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  if (e?.type === 'entity.too.large') return { code: ErrorCode.PayloadTooLarge, message: `request body is larger than ${e.limit} bytes` };
  if (e?.type === 'entity.parse.failed') return { code: ErrorCode.MalformedJson, message: `request body is not valid JSON: ${e.message}` };
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
    return { code: ErrorCode.UnsupportedMediaType, message: e.message ?? 'unsupported encoding' };
  return null;
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    let body: ErrorBody;
    if (err instanceof DomainError) {
      body = err.toBody();
    } else if (err instanceof HttpException) {
      const status = err.getStatus();
      const inner = fromBodyParserError((err as { cause?: unknown }).cause ?? err.getResponse());
      body =
        inner ??
        (status === HttpStatus.NOT_FOUND
          ? { code: ErrorCode.RouteNotFound, message: `no route ${req.method} ${req.path}` }
          : status === HttpStatus.PAYLOAD_TOO_LARGE
            ? { code: ErrorCode.PayloadTooLarge, message: err.message }
            : status < 500
              ? { code: ErrorCode.ValidationFailed, message: err.message }
              : { code: ErrorCode.Internal, message: 'internal error' });
    } else {
      body = fromBodyParserError(err) ?? { code: ErrorCode.Internal, message: 'internal error' };
    }
    if (body.code === ErrorCode.Internal) this.logger.error({ err }, `unhandled error on ${req.method} ${req.path}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const problem = problemOf(body, req.originalUrl);
    if (body.retryAfter !== undefined) res.setHeader('Retry-After', String(body.retryAfter));
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
