/**
 * At most one demanded IDR per interval (PROTOCOL.md §17 H12, applied to the
 * encode group by §9.4): however many viewers ask, requests inside the window
 * wait for the next allowed IDR or the GOP's own, whichever comes first.
 */

/** Keyframes demanded by viewers are limited to one per this many ms. */
export const KEYFRAME_INTERVAL_MS = 250;

export class KeyframeLimiter {
  private lastMs = -Infinity;

  constructor(private readonly intervalMs = KEYFRAME_INTERVAL_MS) {}

  /** How long until an IDR may be forced (0: now). */
  waitMs(nowMs: number): number {
    return Math.max(0, this.lastMs + this.intervalMs - nowMs);
  }

  /** Takes the slot if it is open. */
  take(nowMs: number): boolean {
    if (this.waitMs(nowMs) > 0) return false;
    this.lastMs = nowMs;
    return true;
  }
}
