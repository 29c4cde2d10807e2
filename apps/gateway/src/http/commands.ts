import { originOfClient, type CommandContext } from '@custodian/contracts';
import { CommandClient } from '@custodian/messaging';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Caller } from '../auth/token.js';

export const COMMAND_CLIENT = 'COMMAND_CLIENT';

/** Sends a command on behalf of the caller: the workspace and origin always come from the token. */
@Injectable()
export class Commands {
  constructor(@Inject(COMMAND_CLIENT) private readonly client: CommandClient) {}

  send<T>(subject: string, caller: Caller, req: Request, data: object): Promise<T> {
    return this.client.request<T>(subject, contextOf(caller, req), data);
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
