/**
 * The adaptive quality controller (PROTOCOL.md §15.2), run after each sent
 * frame. It trades bitrate first, then fps, then the in-flight window, and
 * never resolution.
 */
export interface Quality {
  bitrate: number;
  fps: number;
  maxInflight: number;
}

export const ADAPTIVE = {
  minBitrate: 1_000_000,
  minFps: 10,
  fpsStep: 5,
  minInflight: 1,
  queueHigh: 3,
  rttHighMs: 150,
  rttLowMs: 60,
  cooldownMs: 1000,
  down: 0.6,
  up: 1.25,
};

export class AdaptiveController {
  private lastChangeMs = -Infinity;

  /** `max` is read at every update, so an operator retune moves the ceiling too. */
  constructor(
    private readonly max: () => Quality,
    private readonly params = ADAPTIVE,
  ) {}

  /** The new quality, or undefined when nothing changes. */
  update(current: Quality, decodeQueue: number, rttMs: number, nowMs: number): Quality | undefined {
    const p = this.params;
    if (nowMs - this.lastChangeMs < p.cooldownMs) return undefined;
    const congested = decodeQueue > p.queueHigh || (rttMs > 0 && rttMs > p.rttHighMs);
    const healthy = decodeQueue <= 1 && (rttMs === 0 || rttMs < p.rttLowMs);
    let next: Quality | undefined;
    if (congested) {
      if (current.bitrate > p.minBitrate) next = { ...current, bitrate: Math.max(p.minBitrate, current.bitrate * p.down) };
      else if (current.fps > p.minFps) next = { ...current, fps: Math.max(p.minFps, current.fps - p.fpsStep) };
      else if (current.maxInflight > p.minInflight) next = { ...current, maxInflight: current.maxInflight - 1 };
    } else if (healthy) {
      const max = this.max();
      next = {
        bitrate: Math.min(max.bitrate, current.bitrate * p.up),
        fps: Math.min(max.fps, current.fps + p.fpsStep),
        maxInflight: Math.min(max.maxInflight, current.maxInflight + 1),
      };
    }
    if (!next || (next.bitrate === current.bitrate && next.fps === current.fps && next.maxInflight === current.maxInflight)) {
      return undefined;
    }
    this.lastChangeMs = nowMs;
    return next;
  }
}
