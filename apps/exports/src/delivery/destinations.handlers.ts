import {
  createExportDestinationV1,
  deleteExportDestinationV1,
  DomainError,
  ErrorCode,
  listExportDestinationsV1,
  MAX_EXPORT_DESTINATIONS,
  type CommandContext,
  type CreateExportDestinationV1,
  type ExportDestinationView,
  type GetExportV1,
  validationFailed,
} from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { Controller, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ExportsEnv } from '../config.js';
import { devPolicy, forbiddenHostLiteral, productionPolicy, type AddressPolicy } from '../notifications/safe-post.js';
import { seal } from './credentials.js';

export interface DestinationRow {
  id: string;
  workspace_id: string;
  name: string;
  kind: 'sftp' | 'webdav';
  host: string;
  port: number;
  path: string;
  tls: boolean;
  username: string;
  secret: string;
  host_key: string | null;
  created_by: string;
  created_at: Date;
}

export const deliveryPolicy = (env: ExportsEnv): AddressPolicy => (env.EXPORTS_DELIVERY_ALLOW_PRIVATE ? devPolicy : productionPolicy);

export function toDestinationView(r: DestinationRow): ExportDestinationView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    host: r.host,
    port: r.port,
    path: r.path,
    tls: r.tls,
    username: r.username,
    hostKey: r.host_key,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
  };
}

/** The workspace's allowlist of SFTP and WebDAV servers that exports may be delivered to. */
@Controller()
export class DestinationHandlers {
  constructor(
    private readonly ds: DataSource,
    @Inject(ExportsEnv) private readonly env: ExportsEnv,
  ) {}

  @CommandHandler(createExportDestinationV1)
  async create(data: CreateExportDestinationV1, context: CommandContext): Promise<ExportDestinationView> {
    const host = data.host.toLowerCase();
    const policy = deliveryPolicy(this.env);
    // A private address given as such (in any form) is refused at once; names are checked at each connection.
    const why = forbiddenHostLiteral(host, policy);
    if (why) throw new DomainError(ErrorCode.DestinationNotAllowed, `host refused: ${why}`, { errors: [{ path: 'host', message: why }] });
    if (data.hostKey && data.kind !== 'sftp') {
      throw validationFailed('hostKey', 'only for kind sftp', 'hostKey is for SFTP destinations');
    }
    const port = data.port ?? (data.kind === 'sftp' ? 22 : data.tls === false ? 80 : 443);
    const rows = await this.ds.transaction(async (em) => {
      // One creation at a time per workspace, so the allowlist never passes its size.
      await em.query(`select pg_advisory_xact_lock(hashtext('export-destinations:' || $1))`, [context.workspaceId]);
      const [{ n }] = (await em.query('select count(*)::int as n from destination where workspace_id = $1', [context.workspaceId])) as [{ n: number }];
      if (n >= MAX_EXPORT_DESTINATIONS) {
        throw validationFailed('', `the allowlist holds ${MAX_EXPORT_DESTINATIONS} destinations already; delete one first`);
      }
      return (await em.query(
        `insert into destination (workspace_id, name, kind, host, port, path, tls, username, secret, host_key, created_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict do nothing returning *`,
        [
          context.workspaceId,
          data.name,
          data.kind,
          host,
          port,
          data.path.replace(/\/+$/, '') || '/',
          data.kind === 'webdav' ? data.tls !== false : false,
          data.username,
          seal(this.env.EXPORTS_CREDENTIALS_KEY, data.password),
          data.hostKey ?? null,
          context.actor.id,
        ],
      )) as DestinationRow[];
    });
    if (!rows[0]) throw validationFailed('name', 'taken', `a destination named "${data.name}" exists already`);
    return toDestinationView(rows[0]);
  }

  @CommandHandler(listExportDestinationsV1)
  async list(_data: object, context: CommandContext): Promise<{ items: ExportDestinationView[] }> {
    const rows = (await this.ds.query('select * from destination where workspace_id = $1 order by lower(name)', [context.workspaceId])) as DestinationRow[];
    return { items: rows.map(toDestinationView) };
  }

  @CommandHandler(deleteExportDestinationV1)
  async delete(data: GetExportV1, context: CommandContext): Promise<{ deleted: true }> {
    const [, n] = (await this.ds.query('delete from destination where workspace_id = $1 and id = $2', [context.workspaceId, data.id])) as [unknown, number];
    if (!n) throw new DomainError(ErrorCode.NotFound, `destination ${data.id} not found`);
    return { deleted: true };
  }
}
