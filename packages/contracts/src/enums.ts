// Enumerations shared by every service and by the teams that consume Custodian's messages.

export const MembershipStatus = {
  Subscribed: 'subscribed',
  Unsubscribed: 'unsubscribed',
  Bounced: 'bounced',
  Unconfirmed: 'unconfirmed',
} as const;
export type MembershipStatus = (typeof MembershipStatus)[keyof typeof MembershipStatus];
export const MEMBERSHIP_STATUSES = Object.values(MembershipStatus);

export const JobStatus = {
  Queued: 'queued',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Discarded: 'discarded',
  Expired: 'expired',
  Cancelled: 'cancelled',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];
export const JOB_STATUSES = Object.values(JobStatus);
/** Statuses a job never leaves. */
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'discarded', 'expired', 'cancelled'];

export const Role = { Owner: 'owner', Admin: 'admin', Manager: 'manager', Member: 'member' } as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES = Object.values(Role);

export const Plan = { Free: 'free', Pro: 'pro', Enterprise: 'enterprise' } as const;
export type Plan = (typeof Plan)[keyof typeof Plan];
export const PLANS = Object.values(Plan);

/** Who calls the gateway: the first-party back office, a third-party API client or a connector. */
export const Client = { App: 'app', Api: 'api', Integration: 'integration' } as const;
export type Client = (typeof Client)[keyof typeof Client];
export const CLIENTS = Object.values(Client);

/** Where a change came from; `restore` changes trigger no automation. */
export const Origin = {
  App: 'app',
  Api: 'api',
  Integration: 'integration',
  System: 'system',
  Restore: 'restore',
} as const;
export type Origin = (typeof Origin)[keyof typeof Origin];
export const ORIGINS = Object.values(Origin);

export function originOfClient(client: Client): Origin {
  return client;
}

export const ImportMode = { Add: 'add', Update: 'update', Upsert: 'upsert' } as const;
export type ImportMode = (typeof ImportMode)[keyof typeof ImportMode];
export const IMPORT_MODES = Object.values(ImportMode);

/**
 * How an import reads quotes: `strict` (RFC 4180, the default) refuses a quote inside an unquoted
 * field; `lenient` keeps it as a character, as spreadsheets do, and reports each row it repaired.
 */
export const QuoteMode = { Strict: 'strict', Lenient: 'lenient' } as const;
export type QuoteMode = (typeof QuoteMode)[keyof typeof QuoteMode];
export const QUOTE_MODES = Object.values(QuoteMode);

export const SnapshotReason = { Import: 'import', Deletion: 'deletion' } as const;
export type SnapshotReason = (typeof SnapshotReason)[keyof typeof SnapshotReason];
export const SNAPSHOT_REASONS = Object.values(SnapshotReason);
