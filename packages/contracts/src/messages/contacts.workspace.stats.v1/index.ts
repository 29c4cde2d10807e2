import { ArrayMaxSize, IsArray, IsEmail, IsOptional, IsUUID } from 'class-validator';
import { command } from '../../message.js';

/**
 * The workspace's active-contact count, which of `emails` live contacts use, and which of the
 * given lists, tags, accounts and deals still exist (what a restore would find).
 */
export class WorkspaceStatsV1 {
  @IsOptional() @IsArray() @ArrayMaxSize(100_000) @IsEmail({}, { each: true }) emails?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(100_000) @IsUUID('all', { each: true }) listIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(100_000) @IsUUID('all', { each: true }) tagIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(100_000) @IsUUID('all', { each: true }) accountIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(100_000) @IsUUID('all', { each: true }) dealIds?: string[];
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
