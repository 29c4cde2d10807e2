import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from './health.js';
import { createLogger, LOGGER } from './logger.js';

/** What every service needs first: its validated environment (under its class), a logger, health and metrics. */
@Global()
@Module({})
export class ServiceCoreModule {
  static forRoot<E extends object>(service: string, envClass: new () => E, env: E, logLevel: string): DynamicModule {
    return {
      module: ServiceCoreModule,
      imports: [ObservabilityModule.forRoot()],
      providers: [
        { provide: envClass, useValue: env },
        { provide: LOGGER, useValue: createLogger(service, logLevel) },
      ],
      exports: [envClass, LOGGER, ObservabilityModule],
    };
  }
}
