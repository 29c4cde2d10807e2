import { originOfClient, type CommandContext, type CommandSpec } from '@custodian/contracts';
import { CommandClient } from '@custodian/messaging';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Caller } from '../auth/token.js';

export const COMMAND_CLIENT = 'COMMAND_CLIENT';

/** Sends a command on behalf of the caller: the workspace and origin always come from the token. */
@Injectable()
export class Commands {
  constructor(@Inject(COMMAND_CLIENT) private readonly client: CommandClient) {}

  /**
   * `data` is what the caller sent plus what the gateway adds (typed: the command's fields); the
   * command client validates all of it against the contract before it is sent. The reply is the command's.
   */
  send<P extends object, R>(spec: CommandSpec<P, R>, caller: Caller, req: Request, data: Partial<NoInfer<P>>): Promise<R> {
    return this.client.request(spec, contextOf(caller, req), data as P);
  }
}

export function contextOf(caller: Caller, req: Request): CommandContext {
  return {
    workspaceId: caller.workspaceId,
    actor: { id: caller.sub, role: caller.role, client: caller.client },
    origin: originOfClient(caller.client),
    correlationId: (req as Request & { correlationId?: string }).correlationId ?? 'unknown',
    plan: caller.plan,
  };
}
