/**
 * Waiting in tests: poll a condition until it holds or a deadline passes,
 * never sleep and then assert. The deadline only bounds a failing test; a
 * passing one returns as soon as the condition holds, however loaded the
 * machine is.
 */

export interface WaitOptions {
  /** How long before giving up (default 10 s: generous, since only a failing test waits it out). */
  timeoutMs?: number;
  /** Names the condition in the timeout error. */
  what?: string;
  /** Time between polls (default 10 ms). */
  intervalMs?: number;
}

/** Reads `read()` until `condition` holds over its value, and returns that value. */
export async function eventually<T>(
  read: () => T | Promise<T>,
  condition: (v: T) => boolean,
  { timeoutMs = 10_000, what = 'condition', intervalMs = 10 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (condition(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls `condition` until it holds. */
export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  await eventually(condition, (ok) => ok, options);
}
