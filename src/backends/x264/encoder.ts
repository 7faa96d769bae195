/**
 * X264Encoder: live H.264 through the system libx264 (PROTOCOL.md §10.1, §11).
 * A thin layer over the native encoder, as sharp is over libvips: options and
 * frames are validated here, and every encode (with RGB -> I420 conversion for
 * packed RGB input) runs as one job on the libuv pool.
 */
import { type ColorDescriptor, SRGB, type VuiColor, vuiColor } from '../../core/color';
import { type EncodedUnit, type EncodeOptions, type EncoderBackend, unitOf } from '../../core/encoder';
import { ConfigError, EncoderClosedError, EncoderError, FrameError, messageOf, NativeAddonError } from '../../core/errors';
import { checkEncodeArguments, checkEncoderOptions, integerOption } from '../../core/options';
import { createFrame, type FrameInit, type HostFrame, type RawFrame } from '../../core/frame';
import type { Logger } from '../../core/logging';
import { loadNativeAddon, type NativeAddon } from '../../core/native';
import { codecStringOf } from '../h264';
import { type NativeX264Encoder, type NativeX264Settings, x264Binding, X264_MISSING } from './binding';

/** Options of a standalone X264Encoder (the `libx264` backend makes them from its own). */
export interface X264EncoderOptions {
  /** Even, at least 16. */
  width: number;
  /** Even, at least 16. */
  height: number;
  /** Frame rate: sets the time base, the GOP (an IDR every `fps` frames) and `durationUs`. Default 30. */
  fps?: number;
  /** Target bits per second, with a one-frame VBV. Default 12 000 000. */
  bitrate?: number;
  /** An x264 preset name. Default `ultrafast`. */
  preset?: string;
  /** Slice threads per picture; 0 (default) lets x264 choose. Never adds frame latency. */
  threads?: number;
  /** Written into the SPS as the VUI colour description (PROTOCOL.md §13.3). */
  color?: ColorDescriptor;
  /** The native addon (default: the package's own); tests inject fakes here. */
  native?: NativeAddon;
  /** Where to log the opened settings (debug level). */
  logger?: Logger;
}

export const DEFAULT_PRESET = 'ultrafast';

/** x264 refuses smaller pictures. */
const MIN_DIMENSION = 16;

/** The settings the native encoder opens with, or a ConfigError naming the bad option. */
export function x264Settings(options: X264EncoderOptions, presets: readonly string[]): NativeX264Settings {
  if (options === null || typeof options !== 'object') throw new ConfigError('libx264: encoder options must be an object');
  // The checks every backend shares, then x264's own.
  const { width, height, fps, bitrate, color } = options;
  const common = checkEncoderOptions('libx264', 'video', { width, height, fps, bitrate, color });
  for (const name of ['width', 'height'] as const) {
    if (common[name] < MIN_DIMENSION) throw new ConfigError(`libx264: ${name} must be at least ${MIN_DIMENSION}, got ${common[name]}`);
  }
  const preset = options.preset ?? DEFAULT_PRESET;
  if (!presets.includes(preset)) {
    throw new ConfigError(`libx264: unknown preset '${String(preset)}' (expected one of ${presets.join(', ')})`);
  }
  // No descriptor means sRGB (PROTOCOL.md §13.1). Writing it, rather than "unspecified",
  // keeps browsers from guessing BT.709 primaries and transfer for the stream.
  const vui = vuiColor(color ?? SRGB) as VuiColor;
  return {
    width: common.width,
    height: common.height,
    fps: common.fps,
    bitrate: common.bitrate,
    preset,
    threads: integerOption('libx264: threads', options.threads, 0, 0, 64),
    colorPrimaries: vui.primaries,
    colorTransfer: vui.transfer,
  };
}

/** Live H.264 through the system libx264: Annex B access units, an IDR every `fps` frames, no frame latency. */
export class X264Encoder implements EncoderBackend {
  /** Always `video`. */
  readonly transport = 'video' as const;
  /** Encoded width in pixels. */
  readonly width: number;
  /** Encoded height in pixels. */
  readonly height: number;
  /** Frames per second. */
  readonly fps: number;
  /** Target bits per second. */
  readonly bitrate: number;
  private latestCodec: string | undefined;
  private readonly durationUs: number;
  private native: NativeX264Encoder | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(options: X264EncoderOptions) {
    const binding = x264Binding(options?.native ?? loadNativeAddon());
    if (!binding) throw new NativeAddonError(X264_MISSING);
    const settings = x264Settings(options, binding.x264Presets);
    try {
      this.native = new binding.X264Encoder(settings);
    } catch (cause) {
      throw new EncoderError(`libx264 rejected the settings: ${messageOf(cause)}`, { cause });
    }
    ({ width: this.width, height: this.height, fps: this.fps, bitrate: this.bitrate } = settings);
    this.durationUs = Math.floor(1_000_000 / settings.fps);
    options.logger?.debug({ backend: 'libx264', ...settings }, 'x264 encoder opened');
  }

  /** `avc1.PPCCLL` from the latest SPS this encoder emitted; undefined before the first frame. */
  get codec(): string | undefined {
    return this.latestCodec;
  }

  /** Whether close() has been called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Encodes one frame; resolves with its access unit, described by the encoder's size and the frame's ratio and colour. Calls run one at a time, in call order. */
  encode(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]> {
    if (this.closing) return Promise.reject(new EncoderClosedError('x264 encoder'));
    let host: HostFrame;
    try {
      checkEncodeArguments('libx264', frame, options);
      host = this.hostFrame(frame);
    } catch (error) {
      return Promise.reject(error);
    }
    const native = this.native as NativeX264Encoder;
    return this.enqueue(async () => {
      const { data, pixelFormat, width, height, stride } = host;
      let au;
      try {
        au = await native.encode(data, pixelFormat, width, height, stride, options.forceKeyframe === true);
      } catch (cause) {
        throw new EncoderError(`x264 encode failed: ${messageOf(cause)}`, { cause });
      }
      if (!au) return [];
      if (au.keyframe) this.latestCodec = codecStringOf(au.data) ?? this.latestCodec;
      const unit = unitOf(host, {
        data: au.data,
        keyframe: au.keyframe,
        timestampUs: options.timestampUs,
        durationUs: this.durationUs,
        codec: this.latestCodec,
        width: this.width,
        height: this.height,
      });
      return [unit];
    });
  }

  /** A still is a forced IDR of the frame. */
  encodeStill(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]> {
    return this.encode(frame, { ...options, forceKeyframe: true });
  }

  /** Waits for queued encodes. x264 runs here without lookahead or frame threads, so nothing is ever held back. */
  async flush(): Promise<EncodedUnit[]> {
    if (this.closing) throw new EncoderClosedError('x264 encoder');
    await this.tail;
    return [];
  }

  /** Lets queued encodes finish, then frees the native encoder. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.tail.then(() => {
      this.native?.close();
      this.native = undefined;
    });
    return this.closing;
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private hostFrame(frame: RawFrame): HostFrame {
    if (frame.memory !== undefined && frame.memory !== 'host') {
      throw new FrameError(`libx264 takes host frames, got a ${String(frame.memory)} frame`);
    }
    const host = createFrame(frame as FrameInit) as HostFrame;
    if (host.width !== this.width || host.height !== this.height) {
      throw new FrameError(
        `frame is ${host.width}x${host.height} but this encoder was built for ${this.width}x${this.height}`,
      );
    }
    return host;
  }
}
