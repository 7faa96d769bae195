/**
 * One VideoToolbox H.264 encoder. Frames go to the native
 * session in order, one native call at a time; each frame's promise resolves
 * with that frame's access unit, matched by submission order and by the
 * submission number the native session hands back with each unit.
 *
 * With `pipelineDepth` k > 0 up to k frames stay inside VideoToolbox while
 * more are submitted, so a caller that keeps several encodes outstanding
 * overlaps them. When no further frame is waiting the encoder completes what
 * is in flight, so a caller that awaits each encode is never left hanging.
 * (VideoToolbox already works on several frames per step internally, so this
 * is correct but not faster: see the README's macOS section.)
 */
import { SRGB, vuiColor, type VuiColor } from '../../core/color';
import { type EncodedUnit, type EncodeOptions, type EncoderBackend, unitOf, type VideoEncoderOptions } from '../../core/encoder';
import { EncoderClosedError, EncoderError, FrameError, messageOf } from '../../core/errors';
import { checkEncodeArguments, checkEncoderOptions, integerOption } from '../../core/options';
import { createFrame, type HostFrame, type RawFrame } from '../../core/frame';
import { codecStringOf } from '../h264';
import type { NativeVtEncoder, VtBinding, VtEncoderOptions, VtStep, VtUnit } from './binding';
import type { Metal, MetalFrame } from '../../metal/metal';

export const MAX_PIPELINE_DEPTH = 16;

/** The last frame's time per stage, in milliseconds (for benchmarks). */
export interface VtTimings {
  /** Metal RGB -> NV12 conversion on the GPU (0 for host or NV12 frames). */
  gpuConvertMs: number;
  /** Copying the frame into the encoder's pixel buffer. */
  copyMs: number;
  /** The VideoToolbox encode itself. */
  encodeMs: number;
}

interface Pending {
  /** This encoder's submission number, which the native session echoes on the frame's unit. */
  submission: number;
  timestampUs: number;
  /** Described by the unit: its pixel ratio and colour. */
  frame: RawFrame;
  resolve(units: EncodedUnit[]): void;
  reject(error: Error): void;
}

/** The `vtenc` backend's options: the common ones, plus VideoToolbox's own. */
export interface VtencOptions extends VideoEncoderOptions {
  /** Frames between IDRs (default: fps, an IDR a second as PROTOCOL.md §9.2 asks). */
  gop?: number;
}

declare module '../../core/encoder' {
  interface BackendOptionsMap {
    /** Hardware H.264 through Apple VideoToolbox. */
    vtenc: VtencOptions;
  }
}

/** Native options from the registry's options; every problem is a ConfigError naming vtenc and the option. */
export function nativeOptions(options: VtencOptions): VtEncoderOptions {
  const { width, height, fps, bitrate, color } = checkEncoderOptions('vtenc', 'video', options, ['gop']);
  const depth = options.pipelineDepth === 0 ? 0 : integerOption('vtenc: pipelineDepth', options.pipelineDepth, 0, 1, MAX_PIPELINE_DEPTH);
  // No descriptor means sRGB (PROTOCOL.md §13.1), written into the VUI as libx264 writes it (§13.3).
  const vui = vuiColor(color ?? SRGB) as VuiColor;
  return {
    width,
    height,
    fps,
    bitrate,
    gop: integerOption('vtenc: gop', options.gop, fps, 1, Number.MAX_SAFE_INTEGER),
    pipelineDepth: depth,
    primaries: vui.primaries,
    transfer: vui.transfer,
  };
}

/** Hardware H.264 through one VideoToolbox session; takes host and Metal frames. */
export class VtencEncoder implements EncoderBackend {
  /** Always `video`. */
  readonly transport = 'video' as const;
  /** Encoded width in pixels. */
  readonly width: number;
  /** Encoded height in pixels. */
  readonly height: number;
  /** The last frame's time per stage. */
  readonly timings: VtTimings = { gpuConvertMs: 0, copyMs: 0, encodeMs: 0 };
  private latestCodec?: string;
  private readonly durationUs: number;
  private readonly native: NativeVtEncoder;
  /** Frames submitted to the native session whose units have not come back, oldest first. */
  private readonly inFlight: Pending[] = [];
  /** The next frame's submission number, counted per encoder. */
  private submissions = 0;
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;
  private closing?: Promise<void>;
  /** Set when a native call failed: the session's state is unknown, so it takes no more frames. */
  private failure?: EncoderError;
  private scratch?: MetalFrame;

  /** Made by the vtenc backend's create(). @internal */
  constructor(
    binding: VtBinding,
    private readonly metal: Metal,
    options: VtEncoderOptions,
  ) {
    this.width = options.width;
    this.height = options.height;
    this.durationUs = Math.floor(1_000_000 / options.fps);
    this.native = new binding.VtEncoder(options);
  }

  /** The codec string of the latest SPS emitted (PROTOCOL.md §11.2); undefined before the first keyframe. */
  get codec(): string | undefined {
    return this.latestCodec;
  }

  /** Opens the VideoToolbox session, so a refused configuration fails here rather than on the first frame. */
  async open(): Promise<void> {
    try {
      await this.run(() => this.native.open());
    } catch (cause) {
      const message = messageOf(cause);
      throw new EncoderError(`vtenc: could not open a VideoToolbox session: ${message}`, { cause });
    }
  }

  /** Encodes one frame; see EncoderBackend.encode. Calls may overlap and resolve in order. */
  encode(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]> {
    if (this.closing) return Promise.reject(new EncoderClosedError('vtenc encoder'));
    let input: () => Promise<VtStep>;
    const submission = this.submissions;
    try {
      input = this.submission(frame, options, submission);
    } catch (error) {
      return Promise.reject(error);
    }
    this.submissions++;
    return new Promise<EncodedUnit[]>((resolve, reject) => {
      const pending: Pending = { submission, timestampUs: options.timestampUs, frame, resolve, reject };
      this.waiting++;
      void this.run(async () => {
        this.waiting--;
        if (this.failure) return reject(this.failure);
        this.inFlight.push(pending);
        await this.call(input);
        // Nobody is queued behind this frame: complete what is in flight now.
        if (this.waiting === 0 && this.inFlight.length > 0) await this.call(() => this.native.flush());
      });
    });
  }

  /** Every frame resolves through its own encode() promise, so there is nothing left to return. */
  async flush(): Promise<EncodedUnit[]> {
    if (this.closing) throw new EncoderClosedError('vtenc encoder');
    await this.run(async () => {
      if (this.inFlight.length > 0) await this.call(() => this.native.flush());
    });
    return [];
  }

  /** Closes the session once queued encodes finish. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.run(async () => {
      this.native.close();
    });
    return this.closing;
  }

  /** Validates the frame now and returns the native call that submits it. */
  private submission(frame: RawFrame, options: EncodeOptions, submission: number): () => Promise<VtStep> {
    checkEncodeArguments('vtenc', frame, options);
    if (frame.width !== this.width || frame.height !== this.height) {
      throw new FrameError(
        `vtenc: frame is ${frame.width}x${frame.height} but this encoder was built for ${this.width}x${this.height}; rebuild it`,
      );
    }
    const force = options.forceKeyframe === true;
    if (frame.memory === 'metal') return this.metalSubmission(frame, force, submission);
    if (frame.memory !== 'host') throw new FrameError(`vtenc takes host or metal frames, not ${frame.memory} frames`);
    const host = createFrame(frame as HostFrame) as HostFrame;
    return () => {
      this.timings.gpuConvertMs = 0;
      return this.native.encode(host.data, host.pixelFormat, host.width, host.height, host.stride, force, submission);
    };
  }

  private metalSubmission(frame: RawFrame, force: boolean, submission: number): () => Promise<VtStep> {
    if (!this.metal.isMetalFrame(frame)) throw new FrameError('vtenc: a metal frame needs a MetalFrame handle as its data');
    if (frame.pixelFormat === 'nv12') {
      return () => {
        this.timings.gpuConvertMs = 0;
        return this.native.encodeMetal(frame.data, force, submission);
      };
    }
    return async () => {
      this.scratch ??= this.metal.frame({ width: this.width, height: this.height, pixelFormat: 'nv12' });
      this.timings.gpuConvertMs = await this.metal.convertToNv12(frame, this.scratch);
      return this.native.encodeMetal(this.scratch.data, force, submission);
    };
  }

  /** One native call; a failure leaves the session in an unknown state, so it fails the encoder. */
  private async call(native: () => Promise<VtStep>): Promise<void> {
    try {
      this.deliver(await native());
    } catch (error) {
      this.fail(error);
    }
  }

  /** Hands each unit to the frame it belongs to: units come back in submission order. */
  private deliver(step: VtStep): void {
    this.timings.copyMs = step.copyMs;
    this.timings.encodeMs = step.encodeMs;
    for (const unit of step.units) {
      const pending = this.inFlight.shift();
      if (!pending || pending.submission !== unit.seq) {
        const expected = pending?.submission ?? 'none';
        const error = new EncoderError(`vtenc: got a unit for submission ${unit.seq}, expected ${expected}`);
        pending?.reject(error);
        this.fail(error);
        return;
      }
      if (unit.error) pending.reject(new EncoderError(`vtenc: ${unit.error}`));
      else pending.resolve(unit.data.length > 0 ? [this.unit(unit, pending)] : []);
    }
  }

  private unit(unit: VtUnit, pending: Pending): EncodedUnit {
    if (unit.keyframe) this.latestCodec = codecStringOf(unit.data) ?? this.latestCodec;
    return unitOf(pending.frame, {
      data: unit.data,
      keyframe: unit.keyframe,
      timestampUs: pending.timestampUs,
      durationUs: this.durationUs,
      ...(this.latestCodec ? { codec: this.latestCodec } : {}),
      width: this.width,
      height: this.height,
    });
  }

  private fail(cause: unknown): void {
    const message = messageOf(cause);
    this.failure ??=
      cause instanceof EncoderError ? cause : new EncoderError(`vtenc: ${message}; rebuild the encoder`, { cause });
    for (const pending of this.inFlight.splice(0)) pending.reject(this.failure);
  }

  /** Runs `step` after every earlier one: the native encoder never sees two calls at once. */
  private run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
