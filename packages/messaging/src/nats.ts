import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, EVENT_STREAM, EVENT_SUBJECTS } from '@custodian/contracts';

export function natsServers(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function connectNats(servers: string, name: string): Promise<NatsConnection> {
  // Keep reconnecting for ever: a NATS outage delays events (the outbox holds them), it never loses them.
  return connect({ servers: natsServers(servers), name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
}

/** Creates or updates the platform's event stream and its dead-letter stream (idempotent). */
export async function ensureStreams(jsm: JetStreamManager, options: { duplicateWindowMs?: number } = {}): Promise<void> {
  const streams = [
    { name: EVENT_STREAM, subjects: [EVENT_SUBJECTS], duplicate_window: nanos(options.duplicateWindowMs ?? 120_000) },
    { name: DEAD_LETTER_STREAM, subjects: [`${DEAD_LETTER_PREFIX}.>`], duplicate_window: nanos(120_000) },
  ];
  for (const s of streams) {
    const config = { ...s, storage: StorageType.File, retention: RetentionPolicy.Limits };
    try {
      await jsm.streams.info(s.name);
      await jsm.streams.update(s.name, config);
    } catch (err) {
      if (!/stream not found/i.test((err as Error).message)) throw err;
      try {
        await jsm.streams.add(config);
      } catch (addErr) {
        // Another replica created it first.
        if (!/already in use|already exists/i.test((addErr as Error).message)) throw addErr;
      }
    }
  }
}

export { jetstreamManager };
export type { NatsConnection };
