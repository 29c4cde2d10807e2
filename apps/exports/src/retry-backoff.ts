/** Seconds until the next attempt: `baseSecs`, doubling with each attempt made. */
export const backoffSecs = (baseSecs: number, attempts: number): number => baseSecs * 2 ** Math.max(0, attempts - 1);
