import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { currentLogContext } from './log-context.js';
import { metrics } from './metrics.js';

/** Structured JSON logs on stdout; each line carries the correlation id of the work it belongs to. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => currentLogContext(),
  });
}

/** Nest's logger interface over pino, so framework messages are JSON lines too. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

/** Injection token of the service's pino logger. */
export const LOGGER = 'LOGGER';
export type { Logger } from 'pino';

/**
 * Logs a promise rejection nothing handled and lets the process go on: one faulty code path (a
 * reply the transport could not send, a background promise) must not end the jobs and requests
 * of everyone else. Installed once per process.
 */
export function surviveUnhandledRejections(logger: Logger): void {
  if (process.listenerCount('unhandledRejection') > 0) return;
  process.on('unhandledRejection', (reason) => {
    metrics.unhandledRejections.inc();
    logger.error({ err: reason }, 'unhandled promise rejection; the service goes on');
  });
}
