/**
 * The H.264 path (PROTOCOL.md §6.3, §9.3): one WebCodecs VideoDecoder, re-created
 * whenever codec or size changes, a keyframe gate, a FIFO attributing decoder
 * outputs to seqs (there are no B-frames), backlog and stall handling, and the
 * fallback ladder (hardware, then software, then give up so the view can ask
 * for images).
 */
import type { VideoChunkHeader } from '../wire';
import type { FrameMeta } from './worker-protocol';

export interface VideoSink {
  send(message: object): void;
  /**
   * Draws the top-left `width` x `height` of the frame (the encoder's picture;
   * a decoder that ignores the SPS cropping returns the padding rows below it).
   * Closes nothing: the pipeline closes the frame right after.
   */
  draw(frame: VideoFrame, meta: FrameMeta): void;
  ack(seq: number, decodeQueueSize: number): void;
  /** Neither hardware nor software decoding works: the view falls back to images. */
  unsupported(reason: string): void;
  recovered(): void;
}

const BACKLOG = 6;
const STALL_CHECK_MS = 500;
const STALL_MS = 1200;

/**
 * What an SPS without a colour description means on this protocol: rfbcast
 * converts RGB with BT.601, limited range (§13.2), from sRGB frames (§13.1).
 * Without this Chromium assumes BT.709 and greens come out 30 levels dark. A
 * VUI colour description in the stream (a frame with a descriptor, §13.3)
 * still takes precedence over the configured one.
 */
const SILENT_SPS_COLOR: VideoColorSpaceInit = { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'smpte170m', fullRange: false };

type Wanted = { codec: string; width: number; height: number };

const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));


export class VideoPipeline {
  private decoder?: VideoDecoder;
  private current?: Wanted;
  /** Whether the current decoder has output a frame yet: a refusal comes before any. */
  private decodedSinceConfigure = false;
  private gateArmed = true;
  private fifo: FrameMeta[] = [];
  private lastProgressMs = performance.now();
  private acceleration: HardwareAcceleration = 'no-preference';
  private readonly watchdog: ReturnType<typeof setInterval>;
  /** Test hook: swallow decoder output, as a wedged hardware decoder would. */
  stalled = false;

  constructor(private readonly sink: VideoSink) {
    this.watchdog = setInterval(() => this.checkStall(), STALL_CHECK_MS);
  }

  /** Drops the decoder and re-arms the gate (on connect, resize, reset). */
  reset(): void {
    this.closeDecoder();
    this.current = undefined;
  }

  chunk(h: VideoChunkHeader, payload: Uint8Array, receivedMs: number): void {
    const wanted = { codec: h.codec, width: h.width, height: h.height };
    const c = this.current;
    if (!this.decoder || !c || c.codec !== wanted.codec || c.width !== wanted.width || c.height !== wanted.height) {
      if (!this.configure(wanted)) return;
    }
    const decoder = this.decoder as VideoDecoder;
    if (this.gateArmed) {
      if (!h.keyframe) {
        this.sink.send({ type: 'request_keyframe', reason: 'awaiting keyframe' });
        return;
      }
      this.gateArmed = false;
    }
    if (this.fifo.length === 0) this.lastProgressMs = performance.now();
    try {
      decoder.decode(
        new EncodedVideoChunk({
          type: h.keyframe ? 'key' : 'delta',
          timestamp: h.timestamp_us,
          duration: h.duration_us,
          data: payload,
        }),
      );
    } catch (error) {
      this.decodeFailed(decoder, error);
      return;
    }
    this.fifo.push({ seq: h.seq, timestampUs: h.timestamp_us, receivedMs, keyframe: h.keyframe, width: h.width, height: h.height });
    if (decoder.decodeQueueSize > BACKLOG) this.sink.send({ type: 'request_keyframe', reason: 'decode queue backlog' });
  }

  private configure(wanted: Wanted): boolean {
    this.closeDecoder();
    const decoder: VideoDecoder = new VideoDecoder({
      output: (frame) => this.output(frame),
      error: (e) => this.decodeFailed(decoder, e),
    });
    try {
      decoder.configure({
        codec: wanted.codec,
        codedWidth: wanted.width,
        codedHeight: wanted.height,
        optimizeForLatency: true,
        hardwareAcceleration: this.acceleration,
        colorSpace: SILENT_SPS_COLOR,
      });
    } catch (error) {
      try {
        decoder.close();
      } catch {
        // already closed by the failed configure
      }
      return this.stepDownLadder(wanted, error) && this.configure(wanted);
    }
    this.decoder = decoder;
    this.current = wanted;
    this.decodedSinceConfigure = false;
    return true;
  }

  /**
   * The decoder refused its configuration: the next one prefers software; if
   * software was refused too, H.264 is unusable here and the view falls back
   * to images. False when there is nothing left to try.
   */
  private stepDownLadder(wanted: Wanted, error: unknown): boolean {
    if (this.acceleration !== 'prefer-software') {
      this.acceleration = 'prefer-software';
      return true;
    }
    this.sink.unsupported(`VideoDecoder cannot decode ${wanted.codec}: ${describe(error)}`);
    return false;
  }

  private output(frame: VideoFrame): void {
    try {
      // A stalled decoder (test hook) produces nothing the view can see.
      if (this.stalled) return;
      const pending = this.fifo.shift();
      this.lastProgressMs = performance.now();
      this.decodedSinceConfigure = true;
      if (!pending) return;
      this.sink.draw(frame, pending);
      this.sink.ack(pending.seq, this.decoder?.decodeQueueSize ?? 0);
    } finally {
      frame.close();
    }
  }

  private decodeFailed(decoder: VideoDecoder, error: unknown): void {
    if (decoder !== this.decoder) return;
    const wanted = this.current;
    // A configuration is refused asynchronously, through the error callback, before any output:
    // Chromium with NotSupportedError or "Unsupported configuration"; Firefox, whose
    // isConfigSupported() said yes, with an EncodingError at the first decode. Either way,
    // an error before the first output counts as a refusal and steps down the ladder.
    const refused = wanted !== undefined && !this.decodedSinceConfigure;
    this.reset();
    if (refused && !this.stepDownLadder(wanted, error)) return;
    this.sink.send({ type: 'request_keyframe', reason: `decode error: ${describe(error)}`.slice(0, 200) });
  }

  private checkStall(): void {
    if (this.fifo.length === 0 || performance.now() - this.lastProgressMs <= STALL_MS) return;
    const wanted = this.current;
    this.stalled = false;
    this.reset();
    if (wanted) this.configure(wanted);
    this.sink.send({ type: 'request_keyframe', reason: 'decoder stall recovery' });
    this.sink.send({ type: 'decoder_reset' });
    this.sink.recovered();
  }

  private closeDecoder(): void {
    const d = this.decoder;
    this.decoder = undefined;
    this.gateArmed = true;
    this.fifo = [];
    this.lastProgressMs = performance.now();
    if (d && d.state !== 'closed') d.close();
  }

  dispose(): void {
    clearInterval(this.watchdog);
    this.closeDecoder();
  }
}
