/**
 * When and where the view reconnects after its socket closes: which close
 * codes are worth retrying (PROTOCOL.md §16), exponential backoff with jitter,
 * and failover through a list of servers.
 */

export interface ReconnectOptions {
  /** Delay before the first retry of a round (default 500 ms). */
  initialDelayMs?: number;
  /** The delay's cap (default 8000 ms). */
  maxDelayMs?: number;
  /** Growth per failed round (default 2). */
  factor?: number;
  /** Fraction of each delay taken off at random, so viewers of one server do not retry in step (default 0.5). */
  jitter?: number;
  /** Give up after this many failed attempts in a row (default: never). */
  maxAttempts?: number;
}

export const RECONNECT_DEFAULTS: Required<Omit<ReconnectOptions, 'maxAttempts'>> = {
  initialDelayMs: 500,
  maxDelayMs: 8000,
  factor: 2,
  jitter: 0.5,
};

/**
 * Closes that another attempt can fix: the network (1006, or 1005 with no
 * code), the server going away or restarting (1001, 1012), a server fault
 * (1011), overload (1013, 1014), a hello that came too late (4408) and a
 * viewer that fell too far behind (4413). Everything else is the viewer's own
 * problem that the same request would hit again: 4401 unauthorized, 4404
 * unknown stream, 4400 protocol error, 1003 no supported transport, 1009.
 */
const RETRYABLE = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014, 4408, 4413]);

export const isRetryable = (code: number) => RETRYABLE.has(code);

export interface NextAttempt {
  url: string;
  delayMs: number;
  /** Failed attempts in a row, this close included. */
  attempt: number;
}

/**
 * Walks the server list: after a failure the next server is tried at once;
 * once every server of the round has failed, the walk waits, longer after
 * each round, up to the cap. A connection that negotiates ends the run.
 */
export class Reconnector {
  private index = 0;
  private failures = 0;
  private readonly options: Required<Omit<ReconnectOptions, 'maxAttempts'>> & Pick<ReconnectOptions, 'maxAttempts'>;

  constructor(
    private readonly urls: readonly string[],
    options: ReconnectOptions,
    private readonly random: () => number = Math.random,
  ) {
    if (urls.length === 0) throw new Error('RfbView needs at least one url');
    this.options = { ...RECONNECT_DEFAULTS, ...options };
  }

  get url(): string {
    return this.urls[this.index];
  }

  /** The connection negotiated: the next failure starts a new run, on the same server. */
  succeeded(): void {
    this.failures = 0;
  }

  /** The next attempt after a retryable close, or undefined when maxAttempts is spent. */
  failed(): NextAttempt | undefined {
    this.failures++;
    const { maxAttempts, initialDelayMs, maxDelayMs, factor, jitter } = this.options;
    if (maxAttempts !== undefined && this.failures > maxAttempts) return undefined;
    this.index = (this.index + 1) % this.urls.length;
    const n = this.urls.length;
    // Within a round through several servers, move on at once; a round's end waits.
    if (n > 1 && this.failures % n !== 0) return { url: this.url, delayMs: 0, attempt: this.failures };
    const round = Math.floor((this.failures - 1) / n);
    const capped = Math.min(maxDelayMs, initialDelayMs * factor ** round);
    const delayMs = Math.round(capped * (1 - jitter * this.random()));
    return { url: this.url, delayMs, attempt: this.failures };
  }
}
