/**
 * Option checks shared by the encoders and the server, each failing with a
 * ConfigError that names the option and the value it got.
 */
import type { EncodeOptions } from './encoder';
import { ConfigError } from './errors';

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

/** The per-frame options of EncoderBackend.encode(). */
export function checkEncodeOptions(options: EncodeOptions): void {
  if (options === null || typeof options !== 'object') throw new ConfigError('encode options must be an object');
  const v = options.timestampUs;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ConfigError(`encode options: timestampUs must be a non-negative integer, got ${String(v)}`);
  }
}
