import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { command } from '../../message.js';

/** How many export destinations a workspace's allowlist holds at most, so it is always listed in one answer. */
export const MAX_EXPORT_DESTINATIONS = 100;

/**
 * Adds an SFTP or WebDAV server to the workspace's allowlist of export destinations (up to
 * MAX_EXPORT_DESTINATIONS). The password is stored encrypted and never shown again.
 */
export class CreateExportDestinationV1 {
  @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @IsIn(['sftp', 'webdav']) kind!: 'sftp' | 'webdav';
  @IsString() @Matches(/^(?=.{1,253}$)[A-Za-z0-9.:[\]-]+$/, { message: 'host: a host name or an IP address' }) host!: string;
  /** Default 22 for sftp, 443 (or 80 without tls) for webdav. */
  @IsOptional() @IsInt() @Min(1) @Max(65535) port?: number;
  /** The folder files go into, e.g. /upload/exports. */
  @IsString() @Matches(/^\/[^\0]{0,1000}$/, { message: 'path: an absolute folder path' }) path!: string;
  /** WebDAV only: https (default) or plain http. */
  @IsOptional() @IsBoolean() tls?: boolean;
  @IsString() @MinLength(1) @MaxLength(200) username!: string;
  @IsString() @MinLength(1) @MaxLength(1000) password!: string;
  /**
   * SFTP only: the server's host key fingerprint as `ssh-keygen -lf` prints it (SHA256:…). A
   * delivery to a server presenting another key fails. Without it, the key the server presents at
   * the first delivery is kept and required from then on.
   */
  @IsOptional()
  @Matches(/^SHA256:[A-Za-z0-9+/]{43}$/, {
    message: "hostKey: the SHA256 fingerprint of the server's host key, as ssh-keygen -lf prints it (SHA256: and 43 base64 characters)",
  })
  hostKey?: string;
}

export interface ExportDestinationView {
  id: string;
  name: string;
  kind: 'sftp' | 'webdav';
  host: string;
  port: number;
  path: string;
  tls: boolean;
  username: string;
  /** SFTP: the host key fingerprint deliveries require (given, or kept from the first delivery); null until known, and for WebDAV. */
  hostKey: string | null;
  createdBy: string;
  createdAt: string;
}

export const createExportDestinationV1 = command<CreateExportDestinationV1, ExportDestinationView>(
  'exports.destination.create.v1',
  CreateExportDestinationV1,
  {
    name: 'Data warehouse',
    kind: 'sftp',
    host: 'sftp.example.com',
    path: '/incoming/custodian',
    username: 'custodian',
    password: 's3cret',
  },
  'ExportDestinationView',
);
