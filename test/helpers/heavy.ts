/**
 * Opt-in checks of speed and memory (`RFBCAST_HEAVY=1`): thresholds on RSS,
 * frame rates and long runs, which a loaded machine can miss without
 * anything being wrong. The default suite skips them, saying how to run them.
 */
export const HEAVY = process.env.RFBCAST_HEAVY === '1';

/** `it` under RFBCAST_HEAVY=1, otherwise a visible skip naming the switch. */
export function heavyIt(name: string, fn: jest.ProvidesCallback, timeoutMs?: number): void {
  if (HEAVY) it(name, fn, timeoutMs);
  else it.skip(`${name} (heavy: set RFBCAST_HEAVY=1 to run)`, fn, timeoutMs);
}
