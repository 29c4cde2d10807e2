// Mints a development token: npm run token -- --workspace w1 --role admin --plan enterprise --client app
import { parseArgs } from 'node:util';
import { CLIENTS, PLANS, ROLES, type Client, type Plan, type Role } from '@custodian/contracts';
import { mintToken } from '../auth/token.js';

const { values } = parseArgs({
  options: {
    workspace: { type: 'string', default: 'w1' },
    role: { type: 'string', default: 'owner' },
    plan: { type: 'string', default: 'enterprise' },
    client: { type: 'string', default: 'app' },
    sub: { type: 'string', default: 'dev-user' },
    expires: { type: 'string', default: '12h' },
  },
});

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    process.stderr.write(`--${name} must be one of ${allowed.join(', ')} (got "${value}")\n`);
    process.exit(2);
  }
  return value as T;
}

const secret = process.env.GATEWAY_JWT_SECRET ?? 'local-development-secret-change-me-0123456789';
const token = await mintToken(
  {
    sub: values.sub!,
    workspaceId: values.workspace!,
    role: oneOf<Role>('role', values.role!, ROLES),
    plan: oneOf<Plan>('plan', values.plan!, PLANS),
    client: oneOf<Client>('client', values.client!, CLIENTS),
  },
  { secret, issuer: process.env.GATEWAY_JWT_ISSUER, audience: process.env.GATEWAY_JWT_AUDIENCE },
  values.expires,
);
process.stdout.write(`${token}\n`);
