import type { Logger } from '@custodian/observability';

/**
 * Runs `work` now and then again `intervalMs` after each run ends, until stopped; a failed run is
 * logged and tried again at the next tick. `stop` waits for the run in progress.
 */
export function startTicking(work: () => Promise<unknown>, intervalMs: () => number, logger: Logger, what: string): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    running = work().catch((err) => logger.warn({ err: (err as Error).message }, `${what} failed; will retry`));
    void running.finally(() => { if (!stopped) timer = setTimeout(tick, intervalMs()); });
  };
  timer = setTimeout(tick, 0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

/** Seconds until the next attempt: `baseSecs`, doubling with each attempt made. */
export const backoffSecs = (baseSecs: number, attempts: number): number => baseSecs * 2 ** Math.max(0, attempts - 1);
