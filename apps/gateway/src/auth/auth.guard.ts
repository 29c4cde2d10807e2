import { DomainError, ErrorCode, type Plan, type Role } from '@custodian/contracts';
import { CanActivate, createParamDecorator, Injectable, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Public, PUBLIC_ROUTE } from '@custodian/observability';
import { GatewayEnv } from '../config.js';
import { TokenError, verifyToken, type Caller } from './token.js';

const ROLES_KEY = 'custodian:roles';
const PLANS_KEY = 'custodian:plans';

/** Only these roles may call the route (default: every role). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** Only workspaces on these plans may call the route (default: every plan). */
export const Plans = (...plans: Plan[]) => SetMetadata(PLANS_KEY, plans);
/** No token needed (health, metrics): the one way a route escapes authentication. */
export { Public };

export type AuthedRequest = Request & { caller?: Caller };

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthedRequest>().caller;
  if (!caller) throw new DomainError(ErrorCode.Unauthenticated, 'no caller on this request');
  return caller;
});

/**
 * Verifies the bearer JWT on every route but those marked Public, whatever the path's spelling
 * (routing ignores case), then the route's roles and plans. Deny by default.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly env: GatewayEnv,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new DomainError(ErrorCode.Unauthenticated, 'missing bearer token (Authorization: Bearer <token>)');
    try {
      req.caller = await verifyToken(match[1]!, {
        secret: this.env.GATEWAY_JWT_SECRET,
        issuer: this.env.GATEWAY_JWT_ISSUER,
        audience: this.env.GATEWAY_JWT_AUDIENCE,
      });
    } catch (err) {
      if (err instanceof TokenError) throw new DomainError(ErrorCode.Unauthenticated, err.message);
      throw err;
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(req.caller.role)) {
      throw new DomainError(ErrorCode.Forbidden, `role ${req.caller.role} may not do this; allowed: ${roles.join(', ')}`);
    }
    const plans = this.reflector.getAllAndOverride<Plan[] | undefined>(PLANS_KEY, targets);
    if (plans && !plans.includes(req.caller.plan)) {
      throw new DomainError(ErrorCode.PlanRequired, `this needs the ${plans.join(' or ')} plan; the workspace is on ${req.caller.plan}`);
    }
    return true;
  }
}
