/**
 * Option checks shared by the encoders and the server, each failing with a
 * ConfigError that names the option and the value it got. Every backend's
 * create() and encode() go through the same checks here, so all of them
 * refuse the same bad input with the same error.
 */
import { colorProblem } from './color';
import type { AnyEncoderOptions, EncodeOptions, EncoderOptions, ImageTransportOptions, Transport, VideoEncoderOptions } from './encoder';
import { ConfigError, FrameError } from './errors';
import { MAX_DIMENSION, type RawFrame } from './frame';

/** Encoder targets when none are given (PROTOCOL.md §10.1: 12 Mbit/s, 30 fps). */
export const ENCODER_DEFAULTS: Readonly<{ fps: number; bitrate: number }> = Object.freeze({ fps: 30, bitrate: 12_000_000 });

/** `value` as an integer in [min, max], or `fallback` when it is undefined. */
export function integerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/**
 * The keys of EncoderOptions every backend takes, and those the server adds
 * by transport: records, so that a key added to one of the interfaces and
 * not here fails to compile.
 */
const COMMON_KEYS: Record<keyof EncoderOptions, true> = { width: true, height: true, fps: true, bitrate: true, color: true, memory: true };
const VIDEO_KEYS: Record<Exclude<keyof VideoEncoderOptions, keyof EncoderOptions>, true> = { pipelineDepth: true };
const IMAGE_KEYS: Record<Exclude<keyof ImageTransportOptions, keyof EncoderOptions>, true> = { mode: true, quality: true, stillMime: true };
const TRANSPORT_KEYS: Record<Transport, readonly string[]> = { video: Object.keys(VIDEO_KEYS), image: Object.keys(IMAGE_KEYS) };

/** The common options after checking, with defaults applied. */
export interface CheckedEncoderOptions {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Frames per second (default 30). */
  fps: number;
  /** Target bits per second (default 12 000 000). */
  bitrate: number;
  /** Undefined when none was given: a video backend then writes sRGB (PROTOCOL.md §13.1). */
  color: AnyEncoderOptions['color'];
}

/**
 * The checks every backend's create() starts with: `options` is an object
 * with no key outside the common ones, its transport's and the backend's
 * `own`; width and height are integers from 1 to MAX_DIMENSION (even for
 * video, whose 4:2:0 chroma halves them); fps is 1..240, bitrate
 * 1000..2e9 bit/s, and color a valid descriptor. Errors name the backend.
 */
export function checkEncoderOptions(
  backend: string,
  transport: Transport,
  options: AnyEncoderOptions,
  own: readonly string[] = [],
): CheckedEncoderOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(`${backend}: encoder options must be an object`);
  }
  const known = [...Object.keys(COMMON_KEYS), ...TRANSPORT_KEYS[transport], ...own];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ConfigError(`${backend}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
  const dimension = (name: 'width' | 'height'): number => {
    const v = options[name];
    if (v === undefined) throw new ConfigError(`${backend}: ${name} is required`);
    integerOption(`${backend}: ${name}`, v, 0, 1, MAX_DIMENSION);
    if (transport === 'video' && v % 2 !== 0) throw new ConfigError(`${backend}: ${name} must be even (H.264 4:2:0), got ${v}`);
    return v;
  };
  const { color } = options;
  const problem = color === undefined ? undefined : colorProblem(color);
  if (problem) throw new ConfigError(`${backend}: color ${problem}`);
  return {
    width: dimension('width'),
    height: dimension('height'),
    fps: integerOption(`${backend}: fps`, options.fps, ENCODER_DEFAULTS.fps, 1, 240),
    bitrate: integerOption(`${backend}: bitrate`, options.bitrate, ENCODER_DEFAULTS.bitrate, 1_000, 2_000_000_000),
    color,
  };
}

/**
 * The checks every encode() starts with: a frame object (FrameError) and
 * options whose timestampUs is a non-negative integer (ConfigError).
 */
export function checkEncodeArguments(backend: string, frame: RawFrame, options: EncodeOptions): void {
  if (frame === null || typeof frame !== 'object') throw new FrameError(`${backend}: encode needs a frame object, got ${String(frame)}`);
  if (options === null || typeof options !== 'object') throw new ConfigError(`${backend}: encode options must be an object`);
  const v = options.timestampUs;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ConfigError(`${backend}: encode options: timestampUs must be a non-negative integer, got ${String(v)}`);
  }
}
