import { Controller, Get, Header, HttpException, HttpStatus, Injectable, Module, type DynamicModule, SetMetadata } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<void>;

/** Readiness checks registered by the modules a service uses (database, NATS, storage, ...). */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async report(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2000);
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, `failing: ${(err as Error).message}`] as const;
        }
      }),
    );
    return { ready: entries.every(([, s]) => s === 'ok'), checks: Object.fromEntries(entries) };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/** Metadata of routes that need no authentication (health, metrics); every other route of a gateway does. */
export const PUBLIC_ROUTE = 'custodian:public';
/** Marks a controller or route as open to callers without a token. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: HealthRegistry) {}

  /** Liveness: the process answers. */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** Readiness: every dependency answers. */
  @Get('health/ready')
  async ready() {
    const report = await this.health.report();
    if (!report.ready) throw new HttpException({ status: 'unavailable', ...report }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ok', ...report };
  }

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  metrics() {
    return metricsRegistry.metrics();
  }
}

@Module({})
export class ObservabilityModule {
  static forRoot(): DynamicModule {
    return { module: ObservabilityModule, global: true, controllers: [HealthController], providers: [HealthRegistry], exports: [HealthRegistry] };
  }
}
