/**
 * Per-session counters and the metrics snapshot (PROTOCOL.md §15.1): exactly
 * 15 keys, in order.
 */
/** One viewer's metrics (PROTOCOL.md §15.1), as Display.metrics() and the side channel report them. */
export interface MetricsSnapshot {
  /** Seconds since the viewer joined. */
  elapsed_s: number;
  /** Frames sent. */
  frames_sent: number;
  /** Frames not sent to it (flow control, a slow socket); it resynced at a keyframe. */
  frames_dropped: number;
  /** Frames it acknowledged. */
  frames_acked: number;
  /** Keyframes sent. */
  keyframes_sent: number;
  /** Payload bytes sent. */
  bytes_sent: number;
  /** Frames sent per second, lately. */
  fps_sent: number;
  /** Frames acknowledged per second, lately. */
  fps_acked: number;
  /** Bits per second sent, lately. */
  bitrate_bps: number;
  /** Encode time per frame (moving average). */
  encode_ms: number;
  /** Send-to-ack round trip (moving average). */
  rtt_ms: number;
  /** Frames waiting in its decoder, as it last reported. */
  decode_queue_size: number;
  /** Frames sent and not yet acknowledged. */
  inflight: number;
  /** The encoder's bitrate target. */
  target_bitrate: number;
  /** The encoder's frame-rate target. */
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
