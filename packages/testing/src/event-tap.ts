import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { stackEnv } from './env.js';
import { waitFor } from './wait-for.js';

export interface SeenEvent {
  subject: string;
  envelope: { id: string; type: string; workspaceId: string; origin: string; actor: { id: string }; correlationId: string; data: Record<string, unknown> };
}

/** Listens to the platform's events of one workspace, as another team's service would. */
export class EventTap {
  readonly events: SeenEvent[] = [];
  private nc?: NatsConnection;
  private sub?: Subscription;

  constructor(private readonly workspaceId: string) {}

  async start(): Promise<this> {
    this.nc = await connect({ servers: stackEnv().NATS_SERVERS.split(','), name: 'event-tap' });
    this.sub = this.nc.subscribe('events.>', {
      callback: (err, msg) => {
        if (err) return;
        try {
          const envelope = msg.json<SeenEvent['envelope']>();
          if (envelope.workspaceId === this.workspaceId) this.events.push({ subject: msg.subject, envelope });
        } catch {
          /* not an envelope: not ours */
        }
      },
    });
    await this.nc.flush();
    return this;
  }

  of(subject: string): SeenEvent[] {
    return this.events.filter((e) => e.subject === subject);
  }

  async waitFor(subject: string, match: (data: Record<string, unknown>) => boolean = () => true, timeoutMs = 10_000): Promise<SeenEvent> {
    return waitFor(() => this.of(subject).find((e) => match(e.envelope.data)), { timeoutMs, what: `event ${subject}` });
  }

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    await this.nc?.close();
  }
}
