/**
 * One viewer's flow control (PROTOCOL.md §9.1, §17 H11): the in-flight window
 * with its backstop, and the socket budget. Pure state over a clock reading,
 * so a viewer only asks "can you take a unit now?". Keyframes are the encode
 * group's business (§9.4): a viewer that cannot take a unit awaits one.
 */
import type { SessionCounters } from './metrics';

export interface FlowLimits {
  maxInflight: number;
  inflightTimeoutMs: number;
  /** Bytes the socket may hold before units are skipped. */
  budgetBytes: number;
  /** How long the socket may stay over budget before the viewer is closed. */
  overBudgetTimeoutMs: number;
}

/**
 * `send`: room for one more unit. `backstop`: room, because the window's
 * oldest send timed out and the window was cleared; the viewer needs an IDR.
 * `drop`: no room now. `too-slow`: over budget for too long; close the viewer.
 */
export type Admission = 'send' | 'backstop' | 'drop' | 'too-slow';

export class FlowControl {
  /** seq -> send time (ms). Reset and backstop clear it without counting acks. */
  private readonly inflight = new Map<number, number>();
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

  admit(nowMs: number, bufferedBytes: number): Admission {
    const budget = this.checkBudget(nowMs, bufferedBytes);
    if (budget !== 'send') return budget;
    if (!this.full) return 'send';
    const oldest = Math.min(...this.inflight.values());
    if (nowMs - oldest <= this.limits.inflightTimeoutMs) return 'drop';
    // Backstop (§9.1): a client that re-armed its decoder never acks what it discarded.
    this.inflight.clear();
    this.counters.inflightTimeouts++;
    return 'backstop';
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

  /** `decoder_reset`: forget what is in flight (not acked). */
  reset(): void {
    this.inflight.clear();
  }
}
