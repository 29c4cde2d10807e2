/** A sweep started by startSweeping; stop() ends it and waits for the run in progress. */
export interface PeriodicSweep {
  stop(): Promise<void>;
}

/**
 * Runs `work` now and then again `everyMs` after each run ends, until stopped; a failed run is
 * logged and tried again at the next tick. `work` gets a signal aborted by stop(), so a sweep that
 * loops over batches ends after the batch in hand.
 */
export function startSweeping(
  what: string,
  work: (signal: AbortSignal) => Promise<unknown>,
  everyMs: number | (() => number),
  logger: { warn(o: object, m: string): void },
): PeriodicSweep {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = work(stopping.signal).catch((err: unknown) => logger.warn({ err: (err as Error)?.message ?? String(err) }, `${what} failed; will retry`));
    void running.finally(() => {
      if (!stopping.signal.aborted) timer = setTimeout(tick, typeof everyMs === 'number' ? everyMs : everyMs());
    });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopping.abort(new Error(`${what} is stopping`));
      clearTimeout(timer);
      await running;
    },
  };
}
