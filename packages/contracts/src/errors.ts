// Stable error codes. Every failure a caller can see carries one; the gateway maps each to an
// HTTP status with an exhaustive switch, so a new code cannot ship without a mapping.
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  MalformedJson: 'MALFORMED_JSON',
  /** A query parameter the route does not take, or one given more than once. */
  MalformedQuery: 'MALFORMED_QUERY',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** The answer would not fit in one message: ask for less (a smaller page, a narrower filter). */
  ReplyTooLarge: 'REPLY_TOO_LARGE',
  /** A member who unsubscribed or bounced is not subscribed again without the person's recorded consent. */
  OptOutProtected: 'OPT_OUT_PROTECTED',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  PlanRequired: 'PLAN_REQUIRED',
  NotFound: 'NOT_FOUND',
  RouteNotFound: 'ROUTE_NOT_FOUND',
  EmailTaken: 'EMAIL_TAKEN',
  ListNameTaken: 'LIST_NAME_TAKEN',
  TagNameTaken: 'TAG_NAME_TAKEN',
  /** A field of that name (compared case-insensitively) is already defined. */
  FieldNameTaken: 'FIELD_NAME_TAKEN',
  /** The workspace has as many custom fields as it may have: delete one first. */
  FieldLimitReached: 'FIELD_LIMIT_REACHED',
  /** Contacts still hold values of the field: delete it with removeValues to remove them too. */
  FieldInUse: 'FIELD_IN_USE',
  MergeSameContact: 'MERGE_SAME_CONTACT',
  EmailInUse: 'EMAIL_IN_USE',
  ContactMerged: 'CONTACT_MERGED',
  ContactExists: 'CONTACT_EXISTS',
  DealPrimaryInvalid: 'DEAL_PRIMARY_INVALID',
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  JobAlreadyRunning: 'JOB_ALREADY_RUNNING',
  ImportFileInvalid: 'IMPORT_FILE_INVALID',
  ImportObjectMissing: 'IMPORT_OBJECT_MISSING',
  RestoreRefused: 'RESTORE_REFUSED',
  ActiveContactLimit: 'ACTIVE_CONTACT_LIMIT',
  BackupExpired: 'BACKUP_EXPIRED',
  BackupCorrupt: 'BACKUP_CORRUPT',
  ProgramStateInvalid: 'PROGRAM_STATE_INVALID',
  InteractionDataExpired: 'INTERACTION_DATA_EXPIRED',
  UnknownProgram: 'UNKNOWN_PROGRAM',
  SegmentCorrupt: 'SEGMENT_CORRUPT',
  ExportExpired: 'EXPORT_EXPIRED',
  ExportCoolingDown: 'EXPORT_COOLING_DOWN',
  DestinationNotAllowed: 'DESTINATION_NOT_ALLOWED',
  NotificationUrlRefused: 'NOTIFICATION_URL_REFUSED',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export const ERROR_CODES = Object.values(ErrorCode);

export interface FieldError {
  path: string;
  message: string;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  errors?: FieldError[];
  /** Row numbers (1-based lines of a file, header = 1) for file errors. */
  row?: number;
  /** Seconds until the request may be made again (the gateway's Retry-After). */
  retryAfter?: number;
}

/** A domain failure that travels back to the caller as a typed reply. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { errors?: FieldError[]; row?: number; retryAfter?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...this.details };
  }
}

/** Every command reply: success with data, or a typed failure. */
export type CommandReply<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/**
 * VALIDATION_FAILED for one input: its `path` and what is wrong with it; `summary` is the error's
 * message (by default `<path>: <message>`).
 */
export function validationFailed(path: string, message: string, summary = path ? `${path}: ${message}` : message): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, summary, { errors: [{ path, message }] });
}

/** A cursor that no page of this list handed out. */
export function invalidCursor(): DomainError {
  return validationFailed('cursor', 'is not a cursor returned by this API', 'invalid cursor');
}
