import { DomainError, ErrorCode, messageSpec, validatePayload, type CommandContext, type CommandReply, type CommandRequest } from '@custodian/contracts';
import { createLogger, currentLogContext, metrics, withLogContext, type Logger } from '@custodian/observability';
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ClientProxyFactory, MessagePattern, Payload, Transport, type ClientProxy } from '@nestjs/microservices';
import { natsServers } from './nats.js';
import { firstValueFrom, timeout } from 'rxjs';

export const COMMAND_HANDLER = 'custodian:command-handler';

type Handler = (data: never, context: CommandContext) => Promise<unknown>;

/**
 * Marks a method as the handler of a command subject. The payload is validated against the
 * contract's class before the method runs, the log context carries the correlation id, and the
 * reply is a typed CommandReply: DomainErrors become `{ ok: false, error }`, anything else INTERNAL.
 */
let fallback: Logger | undefined;
function unownedLogger(): Logger {
  fallback ??= createLogger('commands');
  return fallback;
}

export function CommandHandler(subject: string): MethodDecorator {
  const spec = messageSpec(subject);
  if (spec.kind !== 'command') throw new Error(`${subject} is not a command`);
  return (target, key, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as Handler;
    descriptor.value = async function (this: unknown, request: CommandRequest<unknown>): Promise<CommandReply<unknown>> {
      const context = request?.context;
      if (!context?.workspaceId || !context.correlationId) {
        return { ok: false, error: { code: ErrorCode.ValidationFailed, message: 'command without context (workspaceId, correlationId)' } };
      }
      return withLogContext({ correlationId: context.correlationId, workspaceId: context.workspaceId, command: subject }, async () => {
        try {
          const data = validatePayload(spec.payload, request.data ?? {});
          const result = await original.call(this, data as never, context);
          metrics.commands.inc({ subject, outcome: 'ok' });
          return { ok: true, data: result };
        } catch (err) {
          metrics.commands.inc({ subject, outcome: err instanceof DomainError ? err.code : ErrorCode.Internal });
          if (err instanceof DomainError) return { ok: false, error: err.toBody() };
          // The handler's own logger when its class has one; never a failure left unlogged.
          const log = (this as { logger?: Logger }).logger ?? unownedLogger();
          log.error({ err, ...currentLogContext() }, `command ${subject} failed`);
          return { ok: false, error: { code: ErrorCode.Internal, message: `internal error while handling ${subject}` } };
        }
      });
    };
    Payload()(target, key as string, 0);
    applyDecorators(MessagePattern(subject), SetMetadata(COMMAND_HANDLER, subject))(target, key, descriptor);
    return descriptor;
  };
}

/** Sends commands over NATS request/reply and turns failure replies back into DomainErrors. */
export class CommandClient {
  constructor(private readonly proxy: ClientProxy, private readonly timeoutMs = 10_000) {}

  /** A client on its own NATS connection (reconnecting for ever). */
  static connect(servers: string, name: string, timeoutMs?: number): CommandClient {
    return new CommandClient(ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: natsServers(servers), name, maxReconnectAttempts: -1, reconnectTimeWait: 500 },
    }), timeoutMs);
  }

  /** Whether a failed request found no service subscribed at all (the app is not deployed), not a timeout. */
  static noResponder(err: unknown): boolean {
    return err instanceof DomainError && err.code === ErrorCode.ServiceUnavailable && /no subscribers listening|no responders/i.test(err.message);
  }

  close(): Promise<void> {
    return this.proxy.close() as Promise<void>;
  }

  /** Nest closes the connection when the app shuts down. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async request<T>(subject: string, context: CommandContext, data: object): Promise<T> {
    const spec = messageSpec(subject);
    // Validate here too: the caller gets every problem without a round trip.
    validatePayload(spec.payload, data);
    let reply: CommandReply<T>;
    try {
      reply = await firstValueFrom(this.proxy.send<CommandReply<T>>(subject, { context, data }).pipe(timeout(this.timeoutMs)));
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      throw new DomainError(ErrorCode.ServiceUnavailable, `no answer to ${subject}: ${message}`, {}, { cause: err });
    }
    if (!reply || typeof reply !== 'object' || !('ok' in reply)) throw new DomainError(ErrorCode.Internal, `malformed reply to ${subject}`);
    if (!reply.ok) {
      const { code, message, ...details } = reply.error;
      throw new DomainError(code, message, details);
    }
    return reply.data;
  }
}
