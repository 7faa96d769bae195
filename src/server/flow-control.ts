/**
 * One viewer's flow control and keyframe state (PROTOCOL.md §9, §17 H11,
 * H12): the in-flight window with its backstop, the socket budget, and when
 * the next encoded frame must be an IDR. Pure state over a clock reading, so
 * the session only asks "send or drop?" and "keyframe?".
 */
import type { SessionCounters } from './metrics';

/** Client-forced keyframes are limited to one per this many ms (§17 H12). */
export const CLIENT_KEYFRAME_INTERVAL_MS = 250;

export interface FlowLimits {
  maxInflight: number;
  inflightTimeoutMs: number;
  /** Bytes the socket may hold before frames are dropped. */
  budgetBytes: number;
  /** How long the socket may stay over budget before the viewer is closed. */
  overBudgetTimeoutMs: number;
}

export type Admission = 'send' | 'drop' | 'too-slow';

export class FlowControl {
  /** seq -> send time (ms). Reset and backstop clear it without counting acks. */
  private readonly inflight = new Map<number, number>();
  /** Set for server reasons: the first frame, a drop, a backstop, a rebuild. */
  private forced = true;
  private clientRequested = false;
  private lastClientKeyframeMs = -Infinity;
  private overBudgetSinceMs?: number;

  constructor(
    public limits: FlowLimits,
    private readonly counters: SessionCounters,
  ) {}

  get size(): number {
    return this.inflight.size;
  }

  get full(): boolean {
    return this.inflight.size >= this.limits.maxInflight;
  }

  /** May a newly taken frame be encoded? A drop forces the next sent frame to be an IDR. */
  admit(nowMs: number, bufferedBytes: number): Admission {
    const budget = this.checkBudget(nowMs, bufferedBytes);
    if (budget !== 'send') return this.drop(budget);
    if (!this.full) return 'send';
    const oldest = Math.min(...this.inflight.values());
    if (nowMs - oldest <= this.limits.inflightTimeoutMs) return this.drop('drop');
    // Backstop (§9.1): a client that re-armed its decoder never acks what it discarded.
    this.inflight.clear();
    this.counters.inflightTimeouts++;
    this.forced = true;
    return 'send';
  }

  private drop(why: Admission): Admission {
    this.counters.framesDropped++;
    this.forced = true;
    return why;
  }

  private checkBudget(nowMs: number, bufferedBytes: number): Admission {
    if (bufferedBytes <= this.limits.budgetBytes) {
      this.overBudgetSinceMs = undefined;
      return 'send';
    }
    this.overBudgetSinceMs ??= nowMs;
    return nowMs - this.overBudgetSinceMs >= this.limits.overBudgetTimeoutMs ? 'too-slow' : 'drop';
  }

  sent(seq: number, nowMs: number): void {
    this.inflight.set(seq, nowMs);
  }

  /** Records an ack; returns the round trip in ms when the seq was in flight. */
  acked(seq: number, nowMs: number): number | undefined {
    const sentAt = this.inflight.get(seq);
    if (sentAt === undefined) return undefined;
    this.inflight.delete(seq);
    return nowMs - sentAt;
  }

  /** `decoder_reset`: forget what is in flight (not acked) and ask for an IDR. */
  decoderReset(): void {
    this.inflight.clear();
    this.clientRequested = true;
  }

  /** `request_keyframe` (rate-limited when the frame is encoded). */
  requestKeyframe(): void {
    this.clientRequested = true;
  }

  /** A rebuilt encoder starts with an IDR. */
  forceKeyframe(): void {
    this.forced = true;
  }

  /**
   * Whether the frame about to be encoded must be an IDR. Client requests are
   * coalesced: at most one forced IDR per 250 ms, the rest wait for the next.
   */
  keyframeNow(nowMs: number): boolean {
    let force = this.forced;
    if (this.clientRequested && nowMs - this.lastClientKeyframeMs >= CLIENT_KEYFRAME_INTERVAL_MS) {
      this.lastClientKeyframeMs = nowMs;
      force = true;
    }
    if (force) this.clientRequested = false;
    this.forced = false;
    return force;
  }

  /** An IDR went out (forced or from the GOP): pending client requests are satisfied. */
  keyframeSent(): void {
    this.clientRequested = false;
  }
}
