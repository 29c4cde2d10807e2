import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MEMBERSHIP_STATUSES, type JobStatus, type MembershipStatus } from './enums.js';

/** The job resource, the same in every app and on `/v1/jobs/{id}`. */
export interface JobView {
  id: string;
  kind: string;
  status: JobStatus;
  progress: { done: number; total: number | null };
  requestedBy: string;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string | null;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

export class Membership {
  @IsString() listId!: string;
  @IsIn(MEMBERSHIP_STATUSES) status!: MembershipStatus;
}

export class PageQuery {
  @IsOptional() @IsString() cursor?: string;
  @IsOptional() @IsInt() @Min(1) @Max(500) limit?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export class ObjectRef {
  @IsString() bucket!: string;
  @IsString() key!: string;
  @IsInt() @Min(0) bytes!: number;
  @IsString() sha256!: string;
  @IsOptional() @IsInt() @Min(0) rows?: number;
}
