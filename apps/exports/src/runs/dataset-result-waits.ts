import { LOGGER, type Logger } from '@custodian/observability';
import { NotificationListener } from '@custodian/persistence';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Where the exports service tells its waiting exports that a data owner's report was recorded. */
export const DATASET_RESULT_CHANNEL = 'dataset_result';
/** How long an export waits without a wake-up before it looks again (a missed notification costs this much). */
const FALLBACK_MS = 5000;

/** Wakes the exports waiting for a data owner's report, on whichever replica they run. */
@Injectable()
export class DatasetResultWaits implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly listener: NotificationListener;

  constructor(
    ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.listener = new NotificationListener(ds, DATASET_RESULT_CHANNEL);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Without it, an export still sees its report, a fallback interval later.
    await this.listener
      .start()
      .catch((err: unknown) => this.logger.warn({ err }, 'could not LISTEN for dataset reports; exports look again every few seconds'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener.stop();
  }

  /** A wait for the report of `requestId` (see NotificationListener.expect). */
  expect(requestId: string, signal: AbortSignal) {
    return this.listener.expect(requestId, FALLBACK_MS, signal);
  }
}
