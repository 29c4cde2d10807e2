import { Counter, Histogram } from 'prom-client';
import type { NextFunction, Request, Response } from 'express';
import { metricsRegistry } from './health.js';

/** The platform's own metrics, next to the process defaults, on /metrics. */
export const metrics = {
  httpRequests: new Counter({
    name: 'custodian_http_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [metricsRegistry],
  }),
  httpDuration: new Histogram({
    name: 'custodian_http_request_duration_seconds',
    help: 'HTTP request durations, by route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metricsRegistry],
  }),
  commands: new Counter({
    name: 'custodian_commands_total',
    help: 'Commands handled, by subject and outcome (ok or the error code)',
    labelNames: ['subject', 'outcome'],
    registers: [metricsRegistry],
  }),
  eventsPublished: new Counter({
    name: 'custodian_events_published_total',
    help: 'Outbox events published to JetStream',
    labelNames: ['subject'],
    registers: [metricsRegistry],
  }),
  eventPublishFailures: new Counter({
    name: 'custodian_event_publish_failures_total',
    help: 'Outbox publish attempts that failed (retried later)',
    registers: [metricsRegistry],
  }),
  eventsHandled: new Counter({
    name: 'custodian_events_handled_total',
    help: 'Events consumed, by subject and outcome (handled, duplicate, retried, dead-lettered)',
    labelNames: ['subject', 'outcome'],
    registers: [metricsRegistry],
  }),
  jobsFinished: new Counter({
    name: 'custodian_jobs_finished_total',
    help: 'Jobs that reached a final status, by kind and status',
    labelNames: ['kind', 'status'],
    registers: [metricsRegistry],
  }),
  unhandledRejections: new Counter({
    name: 'custodian_unhandled_rejections_total',
    help: 'Promise rejections nothing handled (logged; the process goes on)',
    registers: [metricsRegistry],
  }),
};

/** Express middleware counting and timing every request by its route pattern (never by raw path). */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = metrics.httpDuration.startTimer();
  res.once('finish', () => {
    const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    end({ method: req.method, route });
    metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
}
