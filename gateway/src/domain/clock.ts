/**
 * The time every analysis, insight and AI window is measured against. Built once by app.ts and
 * carried in the context, so a test can pin it (no test may depend on the wall-clock hour).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock stopped at `ms` (tests, replays). */
export const fixedClock = (ms: number): Clock => ({ now: () => ms });
