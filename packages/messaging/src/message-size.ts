/**
 * The largest message (event, command request or reply) a service sends: under NATS's default
 * payload limit of 1 MiB, with room for the transport's wrapping. NATS refuses a larger one, and the
 * sender or receiver would hear only that nothing came; a clear error is given instead.
 */
export const MAX_MESSAGE_BYTES = 900 * 1024;
