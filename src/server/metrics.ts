/**
 * Per-session counters and the metrics snapshot (PROTOCOL.md §15.1): exactly
 * 15 keys, in order.
 */
export interface MetricsSnapshot {
  elapsed_s: number;
  frames_sent: number;
  frames_dropped: number;
  frames_acked: number;
  keyframes_sent: number;
  bytes_sent: number;
  fps_sent: number;
  fps_acked: number;
  bitrate_bps: number;
  encode_ms: number;
  rtt_ms: number;
  decode_queue_size: number;
  inflight: number;
  target_bitrate: number;
  target_fps: number;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Exponential moving average with alpha 0.3, seeded by the first sample. */
export class Ema {
  private value: number | undefined;

  add(sample: number): void {
    this.value = this.value === undefined ? sample : 0.3 * sample + 0.7 * this.value;
  }

  get current(): number {
    return this.value ?? 0;
  }
}

export class SessionCounters {
  framesSent = 0;
  framesDropped = 0;
  framesAcked = 0;
  keyframesSent = 0;
  bytesSent = 0;
  decoderResets = 0;
  inflightTimeouts = 0;
  decodeQueueSize = 0;
  readonly encodeMs = new Ema();
  readonly rttMs = new Ema();

  constructor(private readonly startedMs: number) {}

  snapshot(nowMs: number, inflight: number, targetBitrate: number, targetFps: number): MetricsSnapshot {
    const elapsed = Math.max(0, (nowMs - this.startedMs) / 1000);
    const per = (count: number) => (elapsed > 0 ? count / elapsed : 0);
    return {
      elapsed_s: round(elapsed, 3),
      frames_sent: this.framesSent,
      frames_dropped: this.framesDropped,
      frames_acked: this.framesAcked,
      keyframes_sent: this.keyframesSent,
      bytes_sent: this.bytesSent,
      fps_sent: round(per(this.framesSent), 2),
      fps_acked: round(per(this.framesAcked), 2),
      bitrate_bps: Math.round(per(this.bytesSent * 8)),
      encode_ms: round(this.encodeMs.current, 2),
      rtt_ms: round(this.rttMs.current, 2),
      decode_queue_size: this.decodeQueueSize,
      inflight,
      target_bitrate: Math.round(targetBitrate),
      target_fps: Math.round(targetFps),
    };
  }
}
