import { LOGGER, type Logger } from '@custodian/observability';
import { HealthRegistry } from '@custodian/observability';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { COMMAND_HANDLER } from './commands.js';
import { EventConsumers, type EventBatchHandler, type EventConsumerOptions, type EventSubscription } from './event-consumer.js';
import { checkHandlers, type DiscoveredHandler } from './handler-check.js';
import { connectNats, ensureStreams } from './nats.js';
import { EVENT_BATCH_HANDLER, EVENT_HANDLER } from './on-event.js';
import { OutboxRelay, type OutboxRelayOptions } from './outbox.js';

export const MESSAGING_OPTIONS = 'MESSAGING_OPTIONS';
export const NATS_CONNECTION = 'NATS_CONNECTION';

export interface MessagingOptions {
  /** The app's name: owner of the command subjects `<app>.…` and prefix of its durable consumers. */
  app: string;
  natsServers: string;
  /** Apps without a database (the gateway) neither relay an outbox nor consume events. */
  withDatabase: boolean;
  relay?: OutboxRelayOptions;
  consumers?: EventConsumerOptions;
}

@Injectable()
export class MessagingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private relay?: OutboxRelay;
  private consumers?: EventConsumers;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('nats', async () => {
      if (this.nc.isClosed()) throw new Error('connection closed');
      await this.nc.flush();
    });
    const { commands, events } = this.discover();
    const problems = checkHandlers(
      this.options.app,
      commands.map((c) => c.found),
      events.map((e) => e.found),
    );
    if (problems.length) throw new Error(`message handlers of ${this.options.app} are wrong:\n  ${problems.join('\n  ')}`);
    if (!this.options.withDatabase) return;

    const dataSource = await this.dataSource();
    const jsm = await jetstreamManager(this.nc);
    await ensureStreams(jsm);
    const js = jetstream(this.nc);
    this.relay = new OutboxRelay(dataSource, js, this.logger, this.options.relay);
    await this.relay.start();
    this.consumers = new EventConsumers(this.options.app, dataSource, js, jsm, this.logger, this.options.consumers);
    await this.consumers.start(events.map((e) => e.subscription));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumers?.stop();
    await this.relay?.stop();
    await this.nc.drain().catch(() => undefined);
  }

  private async dataSource(): Promise<DataSource> {
    const wrapper = this.discovery.getProviders().find((p) => p.instance instanceof DataSource);
    if (!wrapper) throw new Error('MessagingModule with a database needs a DataSource provider');
    return wrapper.instance as DataSource;
  }

  private discover() {
    const commands: { found: DiscoveredHandler }[] = [];
    const events: { found: DiscoveredHandler; subscription: EventSubscription }[] = [];
    const instances = [...this.discovery.getControllers(), ...this.discovery.getProviders()]
      .map((w) => w.instance as Record<string, unknown> | undefined)
      .filter((i): i is Record<string, unknown> => !!i && typeof i === 'object');
    for (const instance of new Set(instances)) {
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[method] as (...args: unknown[]) => Promise<void>;
        const name = `${instance.constructor.name}.${method}`;
        const command = this.reflector.get<string | undefined>(COMMAND_HANDLER, fn);
        if (command) commands.push({ found: { subject: command, name } });
        const event = this.reflector.get<string | undefined>(EVENT_HANDLER, fn);
        if (event) events.push({ found: { subject: event, name }, subscription: { subject: event, name, handler: fn.bind(instance) } });
        const batch = this.reflector.get<{ subject: string; maxBatch: number } | undefined>(EVENT_BATCH_HANDLER, fn);
        if (batch) {
          events.push({
            found: { subject: batch.subject, name },
            subscription: { subject: batch.subject, name, batch: { handler: fn.bind(instance) as EventBatchHandler, maxBatch: batch.maxBatch } },
          });
        }
      }
    }
    return { commands, events };
  }
}

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: NATS_CONNECTION, useFactory: () => connectNats(options.natsServers, `custodian-${options.app}`) },
        MessagingLifecycle,
      ],
      exports: [NATS_CONNECTION],
    };
  }
}
