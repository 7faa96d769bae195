/**
 * Time as the server sees it. Flow control, stills, debouncing and rate limits
 * all read this clock, so tests can drive them with a manual clock instead of
 * sleeping.
 */
import type { InjectionToken } from 'tsyringe';

/** A pending timeout. */
export interface Timer {
  /** Stops it from firing; harmless after it fired. */
  cancel(): void;
}

/** The server's time source: real by default, a manual one in tests (register it under ClockToken). */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now. */
  setTimeout(fn: () => void, ms: number): Timer;
}

/** The real clock: `performance.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

/** Where a container's hubs find their Clock (systemClock when none is registered). */
export const ClockToken: InjectionToken<Clock> = Symbol('rfbcast.Clock');

/** Resolves after `ms` on `clock`, or as soon as `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = clock.setTimeout(done, ms);
    function done() {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
