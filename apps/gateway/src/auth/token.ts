import { CLIENTS, PLANS, ROLES, type Client, type Plan, type Role } from '@custodian/contracts';
import { jwtVerify, SignJWT } from 'jose';

/** The caller, from the verified bearer token (docs/design.md, tenancy). The workspace never comes from elsewhere. */
export interface Caller {
  sub: string;
  workspaceId: string;
  role: Role;
  plan: Plan;
  client: Client;
}

export interface TokenSettings {
  secret: string;
  issuer?: string;
  audience?: string;
}

const key = (secret: string) => new TextEncoder().encode(secret);

export class TokenError extends Error {}

export async function verifyToken(token: string, settings: TokenSettings): Promise<Caller> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key(settings.secret), {
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (err) {
    throw new TokenError(`invalid bearer token: ${(err as Error).message}`);
  }
  const { sub, workspaceId, role, plan, client } = payload;
  const problems: string[] = [];
  if (typeof workspaceId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(workspaceId)) problems.push('workspaceId');
  if (!ROLES.includes(role as Role)) problems.push('role');
  if (!PLANS.includes(plan as Plan)) problems.push('plan');
  if (!CLIENTS.includes(client as Client)) problems.push('client');
  if (problems.length) throw new TokenError(`bearer token has missing or invalid claims: ${problems.join(', ')}`);
  return { sub: sub as string, workspaceId: workspaceId as string, role: role as Role, plan: plan as Plan, client: client as Client };
}

export async function mintToken(caller: Caller, settings: TokenSettings, expiresIn = '12h'): Promise<string> {
  let jwt = new SignJWT({ workspaceId: caller.workspaceId, role: caller.role, plan: caller.plan, client: caller.client })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(caller.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn);
  if (settings.issuer) jwt = jwt.setIssuer(settings.issuer);
  if (settings.audience) jwt = jwt.setAudience(settings.audience);
  return jwt.sign(key(settings.secret));
}
