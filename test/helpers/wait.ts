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

/**
 * Reads `read()` until `condition` holds over its value, and returns that value.
 * A read that throws counts as "not yet" (an HTTP poll can meet a keep-alive
 * connection the server is just closing); the last error is reported at the deadline.
 */
export async function eventually<T>(
  read: () => T | Promise<T>,
  condition: (v: T) => boolean,
  { timeoutMs = 10_000, what = 'condition', intervalMs = 10 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: string;
    try {
      const v = await read();
      if (condition(v)) return v;
      last = `last value: ${JSON.stringify(v)}`;
    } catch (error) {
      last = `last error: ${error instanceof Error ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ''}` : String(error)}`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${last}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls `condition` until it holds. */
export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  await eventually(condition, (ok) => ok, options);
}
