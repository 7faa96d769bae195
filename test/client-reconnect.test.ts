/**
 * The view's reconnect policy on its own: which close codes are retried,
 * the backoff (exponential, capped, jittered) and the walk through a list of
 * servers. The randomness is injected, so every delay is exact.
 */
import { isRetryable, RECONNECT_DEFAULTS, Reconnector } from '../src/client/reconnect';

describe('which closes are retried', () => {
  it.each([1001, 1005, 1006, 1011, 1012, 1013, 1014, 4408, 4413])('%i is retried', (code) => {
    expect(isRetryable(code)).toBe(true);
  });

  it.each([1000, 1003, 1009, 4400, 4401, 4404])('%i is not', (code) => {
    expect(isRetryable(code)).toBe(false);
  });
});

describe('backoff on one server', () => {
  it('doubles from the initial delay up to the cap, and starts over once a connection negotiates', () => {
    const r = new Reconnector(['ws://a/'], { jitter: 0 }, () => 0.5);
    const delays = Array.from({ length: 7 }, () => r.failed()?.delayMs);
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(RECONNECT_DEFAULTS.maxDelayMs).toBe(8000);
    r.succeeded();
    expect(r.failed()).toEqual({ url: 'ws://a/', delayMs: 500, attempt: 1 });
  });

  it('jitter takes a random fraction off each delay, within the configured share', () => {
    const lowest = new Reconnector(['ws://a/'], { initialDelayMs: 1000, jitter: 0.5 }, () => 0.999999);
    const highest = new Reconnector(['ws://a/'], { initialDelayMs: 1000, jitter: 0.5 }, () => 0);
    expect(lowest.failed()?.delayMs).toBe(500);
    expect(highest.failed()?.delayMs).toBe(1000);
  });

  it('gives up after maxAttempts failures in a row', () => {
    const r = new Reconnector(['ws://a/'], { maxAttempts: 2, jitter: 0 });
    expect(r.failed()?.attempt).toBe(1);
    expect(r.failed()?.attempt).toBe(2);
    expect(r.failed()).toBeUndefined();
  });
});

describe('failover through several servers', () => {
  it('moves to the next server at once, and backs off only after a whole round failed', () => {
    const r = new Reconnector(['ws://a/', 'ws://b/', 'ws://c/'], { jitter: 0 });
    expect(r.url).toBe('ws://a/');
    const walk = Array.from({ length: 7 }, () => r.failed()).map((n) => [n?.url, n?.delayMs]);
    expect(walk).toEqual([
      ['ws://b/', 0],
      ['ws://c/', 0],
      ['ws://a/', 500],
      ['ws://b/', 0],
      ['ws://c/', 0],
      ['ws://a/', 1000],
      ['ws://b/', 0],
    ]);
  });

  it('needs at least one url', () => {
    expect(() => new Reconnector([], {})).toThrow('RfbView needs at least one url');
  });
});
