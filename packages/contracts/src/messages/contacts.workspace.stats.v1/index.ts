import { ArrayMaxSize, IsArray, IsEmail, IsOptional, IsUUID } from 'class-validator';
import { command } from '../../message.js';

/** How many ids of each kind one contacts.workspace.stats.v1 asks about, so the request fits in one message. */
export const WORKSPACE_STATS_MAX_IDS = 2000;

/**
 * The workspace's active-contact count, which of `emails` live contacts use, and which of the
 * given lists, tags, accounts and deals still exist (what a restore would find). Up to 1,000
 * emails and WORKSPACE_STATS_MAX_IDS ids of each kind per request.
 */
export class WorkspaceStatsV1 {
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsEmail({}, { each: true }) emails?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(WORKSPACE_STATS_MAX_IDS) @IsUUID('all', { each: true }) listIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(WORKSPACE_STATS_MAX_IDS) @IsUUID('all', { each: true }) tagIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(WORKSPACE_STATS_MAX_IDS) @IsUUID('all', { each: true }) accountIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(WORKSPACE_STATS_MAX_IDS) @IsUUID('all', { each: true }) dealIds?: string[];
}

export interface WorkspaceStats {
  activeContacts: number;
  emailsInUse: string[];
  existing: { lists: string[]; tags: string[]; accounts: string[]; deals: string[] };
}

export const workspaceStatsV1 = command<WorkspaceStatsV1, WorkspaceStats>(
  'contacts.workspace.stats.v1',
  WorkspaceStatsV1,
  { emails: ['ada@example.com'] },
  'WorkspaceStats',
);
