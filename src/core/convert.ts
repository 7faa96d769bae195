/**
 * Colour conversion on the CPU (BT.601 limited range, PROTOCOL.md §13.2):
 * rgba/bgra/rgb24 -> i420/nv12 and nv12/i420 -> rgb24/rgba. The async forms
 * run on the libuv thread pool; the sync forms block and suit small frames.
 */
import { availableParallelism } from 'node:os';

import { ConversionError } from './errors';
import { createFrame, type HostFrame } from './frame';
import { loadNativeAddon } from './native';
import { byteLengthRange, isPackedRgb, isYuv420, packedStride, type PixelFormat } from './pixel-format';

/** Options of convertFrame and convertFrameSync. */
export interface ConvertOptions {
  /** Where to write the result; allocated when absent. Must be large enough. */
  dst?: Uint8Array;
}

function plan(frame: HostFrame, to: PixelFormat, options: ConvertOptions): { dst: Uint8Array; out: HostFrame } {
  const from = frame.pixelFormat;
  const ok = (isPackedRgb(from) && isYuv420(to)) || (isYuv420(from) && (to === 'rgb24' || to === 'rgba'));
  if (!ok) throw new ConversionError(`unsupported conversion ${from} -> ${to}`);
  if (frame.memory !== 'host') throw new ConversionError(`cannot convert a ${frame.memory} frame on the CPU`);
  const { width, height } = frame;
  if (width % 2 !== 0 || height % 2 !== 0) {
    throw new ConversionError(`4:2:0 conversion needs an even width and height, got ${width}x${height}`);
  }
  const stride = packedStride(to, width);
  const { max: size } = byteLengthRange(to, width, height, stride);
  const given = options.dst;
  if (given && given.byteLength < size) {
    throw new ConversionError(`destination holds ${given.byteLength} bytes; ${to} ${width}x${height} needs ${size}`);
  }
  const dst = given ? given.subarray(0, size) : new Uint8Array(size);
  const out = createFrame({
    data: dst,
    width,
    height,
    pixelFormat: to,
    stride,
    ...(frame.pixelRatio !== undefined ? { pixelRatio: frame.pixelRatio } : {}),
    ...(frame.color !== undefined ? { color: frame.color } : {}),
  }) as HostFrame;
  return { dst, out };
}

/**
 * Converts a host frame between packed RGB (rgba, bgra, rgb24) and 4:2:0 YUV (nv12, i420) on the
 * calling thread, with libyuv. Meant for small frames: use convertFrame for anything larger.
 * Throws ConversionError for a pair it cannot convert or an odd size.
 */
export function convertFrameSync(frame: HostFrame, to: PixelFormat, options: ConvertOptions = {}): HostFrame {
  const { dst, out } = plan(frame, to, options);
  const { data, pixelFormat, width, height, stride } = frame;
  loadNativeAddon().convert(data, pixelFormat, width, height, stride, to, dst);
  return out;
}

/**
 * Frames at least this large are split into horizontal bands converted on
 * several pool threads at once: one band is bound by one core's memory
 * bandwidth, and a 1080p frame then finishes in about half the time.
 */
const BAND_MIN_PIXELS = 1280 * 720;
const BANDS = Math.min(4, availableParallelism());

function bands(height: number, pixels: number): Array<[number, number]> {
  const n = pixels >= BAND_MIN_PIXELS ? BANDS : 1;
  const rows = Math.ceil(height / n / 2) * 2;
  const out: Array<[number, number]> = [];
  for (let start = 0; start < height; start += rows) out.push([start, Math.min(rows, height - start)]);
  return out;
}

/** The same conversion as convertFrameSync, on a libuv pool thread: the event loop stays free. */
export async function convertFrame(frame: HostFrame, to: PixelFormat, options: ConvertOptions = {}): Promise<HostFrame> {
  const { dst, out } = plan(frame, to, options);
  const { data, pixelFormat, width, height, stride } = frame;
  const addon = loadNativeAddon();
  await Promise.all(
    bands(height, width * height).map(([start, count]) =>
      addon.convertAsync(data, pixelFormat, width, height, stride, to, dst, start, count),
    ),
  );
  return out;
}
