import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, ErrorCode, validatePayload, type CommandContext, type CommandReply, type CommandRequest, type CommandSpec } from '@custodian/contracts';
import { createLogger, metrics, withLogContext, type Logger } from '@custodian/observability';
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ClientProxyFactory, MessagePattern, Payload, Transport, type ClientProxy } from '@nestjs/microservices';
import { natsServers } from './nats.js';
import { firstValueFrom, timeout } from 'rxjs';
import { MAX_MESSAGE_BYTES } from './message-size.js';

export const COMMAND_HANDLER = 'custodian:command-handler';

/** What a handler of a command with payload P and reply R looks like. */
export type CommandMethod<P, R> = (data: P, context: CommandContext) => Promise<R>;

const loggers = new Map<string, Logger>();

/** The logger of failed commands, one per app, named after the app the subject belongs to (as the app's own logger is). */
function commandLogger(subject: string): Logger {
  const app = subject.split('.')[0] || 'commands';
  let logger = loggers.get(app);
  if (!logger) loggers.set(app, (logger = createLogger(app)));
  return logger;
}

/** The largest reply a command answers, and the largest request it sends (see MAX_MESSAGE_BYTES). */
export const MAX_REPLY_BYTES = MAX_MESSAGE_BYTES;
export const MAX_REQUEST_BYTES = MAX_MESSAGE_BYTES;

/**
 * Marks a method as the handler of a command. The payload is validated against the contract's
 * class before the method runs, the log context carries the correlation id, and the reply is a
 * typed CommandReply: DomainErrors become `{ ok: false, error }`, anything else INTERNAL (and is
 * logged). The compiler checks the method against the spec: it takes the payload and answers the reply.
 */
export function CommandHandler<P extends object, R>(spec: CommandSpec<P, R>) {
  const { subject } = spec;
  return <M extends CommandMethod<P, R>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): TypedPropertyDescriptor<M> => {
    const original = descriptor.value as CommandMethod<P, R>;
    const handle = async function (this: unknown, request: CommandRequest<unknown>): Promise<CommandReply<R>> {
      const context = request?.context;
      if (!context?.workspaceId || !context.correlationId) {
        return { ok: false, error: { code: ErrorCode.ValidationFailed, message: 'command without context (workspaceId, correlationId)' } };
      }
      return withLogContext({ correlationId: context.correlationId, workspaceId: context.workspaceId, command: subject }, async () => {
        try {
          const data = validatePayload(spec.payload, request.data ?? {});
          const result = await original.call(this, data, context);
          // Over NATS's payload limit the transport could not send it (and would fail out of reach): a clear answer instead.
          const bytes = Buffer.byteLength(JSON.stringify(result) ?? '');
          if (bytes > MAX_REPLY_BYTES) {
            throw new DomainError(
              ErrorCode.ReplyTooLarge,
              `the answer to ${subject} would be ${bytes} bytes; answers are limited to ${MAX_REPLY_BYTES} bytes: ask for less (a smaller limit or a narrower filter)`,
            );
          }
          metrics.commands.inc({ subject, outcome: 'ok' });
          return { ok: true, data: result };
        } catch (err) {
          metrics.commands.inc({ subject, outcome: err instanceof DomainError ? err.code : ErrorCode.Internal });
          if (err instanceof DomainError) return { ok: false, error: err.toBody() };
          // Never a failure left unlogged; the log context names the command, its correlation id and workspace.
          commandLogger(subject).error({ err }, `command ${subject} failed`);
          return { ok: false, error: { code: ErrorCode.Internal, message: `internal error while handling ${subject}` } };
        }
      });
    };
    descriptor.value = handle as unknown as M;
    Payload()(target, key as string, 0);
    applyDecorators(MessagePattern(subject), SetMetadata(COMMAND_HANDLER, subject))(target, key, descriptor);
    return descriptor;
  };
}

/** Sends commands over NATS request/reply and turns failure replies back into DomainErrors. */
export class CommandClient {
  constructor(
    private readonly proxy: ClientProxy,
    private readonly timeoutMs = 10_000,
  ) {}

  /** A client on its own NATS connection (reconnecting for ever). */
  static connect(servers: string, name: string, timeoutMs?: number): CommandClient {
    return new CommandClient(
      ClientProxyFactory.create({
        transport: Transport.NATS,
        options: { servers: natsServers(servers), name, maxReconnectAttempts: -1, reconnectTimeWait: 500 },
      }),
      timeoutMs,
    );
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

  /** Sends a command and answers its reply; the payload is the contract's, and so is the reply's type. */
  async request<P extends object, R>(spec: CommandSpec<P, R>, context: CommandContext, data: NoInfer<P>): Promise<R> {
    const { subject } = spec;
    // Validate here too: the caller gets every problem without a round trip.
    validatePayload(spec.payload, data);
    const bytes = Buffer.byteLength(JSON.stringify({ context, data }));
    if (bytes > MAX_REQUEST_BYTES) {
      throw new DomainError(
        ErrorCode.PayloadTooLarge,
        `the request ${subject} would be ${bytes} bytes; requests are limited to ${MAX_REQUEST_BYTES} bytes: send less at a time`,
      );
    }
    let reply: CommandReply<R>;
    try {
      reply = await firstValueFrom(this.proxy.send<CommandReply<R>>(subject, { context, data }).pipe(timeout(this.timeoutMs)));
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

  /**
   * `request`, asked again every `retryMs` while no service answers (SERVICE_UNAVAILABLE: none is
   * deployed, the request timed out, the reply was lost), until `signal` aborts. For jobs that
   * follow another service's work under their own time limit: the command must be safe to repeat.
   */
  async requestUntilAnswered<P extends object, R>(
    spec: CommandSpec<P, R>,
    context: CommandContext,
    data: NoInfer<P>,
    signal: AbortSignal,
    retryMs = 1000,
  ): Promise<R> {
    for (;;) {
      try {
        return await this.request(spec, context, data);
      } catch (err) {
        if (!(err instanceof DomainError && err.code === ErrorCode.ServiceUnavailable)) throw err;
        await sleep(retryMs, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) throw signal.reason;
      }
    }
  }
}
