/** Per-second client statistics: drawn fps, decode latency and received bitrate. */
import type { ViewStats } from './worker-protocol';

export class StatsMeter {
  private windowStart = performance.now();
  private drawn = 0;
  private decodeMsSum = 0;
  private bytes = 0;
  private total = 0;
  recoveries = 0;
  server: Partial<Pick<ViewStats, 'rttMs' | 'dropped' | 'targetBitrate' | 'targetFps' | 'serverFps' | 'serverBitrateBps' | 'encodeMs'>> = {};
  transport?: ViewStats['transport'];
  codec?: string;
  private last: ViewStats = { fps: 0, decodeMs: 0, bitrateBps: 0, decoderRecoveries: 0, frames: 0 };

  received(bytes: number): void {
    this.bytes += bytes;
  }

  drew(decodeMs: number): void {
    this.drawn++;
    this.total++;
    this.decodeMsSum += decodeMs;
  }

  /** Closes the current window (call about once a second). */
  sample(): ViewStats {
    const now = performance.now();
    const secs = Math.max(0.001, (now - this.windowStart) / 1000);
    this.last = {
      fps: Math.round((this.drawn / secs) * 10) / 10,
      decodeMs: this.drawn ? Math.round((this.decodeMsSum / this.drawn) * 100) / 100 : 0,
      bitrateBps: Math.round((this.bytes * 8) / secs),
      decoderRecoveries: this.recoveries,
      frames: this.total,
      ...this.server,
      ...(this.transport ? { transport: this.transport } : {}),
      ...(this.codec ? { codec: this.codec } : {}),
    };
    this.windowStart = now;
    this.drawn = 0;
    this.decodeMsSum = 0;
    this.bytes = 0;
    return this.last;
  }
}
