/**
 * Frames: what a publisher hands to rfbcast and what encoders consume.
 * Constructors validate everything once, so encoders and the native addon can
 * trust the geometry; every problem is a `FrameError` naming it exactly.
 */
import type { ColorDescriptor } from './color';
import { FrameError } from './errors';
import {
  byteLengthRange,
  bytesPerPixel,
  isPixelFormat,
  isYuv420,
  packedStride,
  PIXEL_FORMATS,
  type PixelFormat,
} from './pixel-format';

/** Where the pixels live: `host` memory, a Metal buffer, or a plugin-defined kind. */
export type MemoryKind = 'host' | 'metal' | (string & {});

/** Largest accepted width or height; beyond this no encoder here can cope. */
export const MAX_DIMENSION = 16384;

/** A frame as the encoders see it: geometry, pixel format, memory and pixels (or a handle to them). */
export interface RawFrame {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** How the pixels are laid out. */
  readonly pixelFormat: PixelFormat;
  /** Where the pixels live: `host`, or `metal` for a Metal frame. */
  readonly memory: MemoryKind;
  /** Host frames: the pixels. Other memories: an opaque handle (e.g. a MetalFrame). */
  readonly data: Uint8Array | object;
  /** Bytes per row of the first plane (host frames); defaults to tightly packed. */
  readonly stride?: number;
  /** The render device-pixel ratio, echoed to viewers; 1 when absent. */
  readonly pixelRatio?: number;
  /** The colour the pixels are in; none means sRGB. */
  readonly color?: ColorDescriptor;
}

/** A validated frame in host memory, with its stride resolved. */
export interface HostFrame extends RawFrame {
  /** Always `host`. */
  readonly memory: 'host';
  /** The pixels. */
  readonly data: Uint8Array;
  /** Bytes per row of the first plane. */
  readonly stride: number;
}

/** What a publisher may pass where a frame is expected: a frame, or bare RGBA bytes. */
export type PixelBuffer = Uint8Array | Uint8ClampedArray | ArrayBuffer;
/** A frame, or bare RGBA bytes of the stream's size. */
export type FrameInput = RawFrame | PixelBuffer;

/** What createFrame takes: RawFrame's fields, with the pixel format (default `rgba`) and memory (default `host`) optional. */
export interface FrameInit {
  /** Width in pixels, 1 to MAX_DIMENSION. */
  width: number;
  /** Height in pixels, 1 to MAX_DIMENSION. */
  height: number;
  /** Pixel layout (default `rgba`). */
  pixelFormat?: PixelFormat;
  /** Where the pixels live (default `host`). */
  memory?: MemoryKind;
  /** Host frames: the pixels (no copy is made). Other memories: their handle. */
  data: PixelBuffer | object;
  /** Bytes per row of the first plane (default: tightly packed). */
  stride?: number;
  /** The render device-pixel ratio (default 1). */
  pixelRatio?: number;
  /** The colour (default: none, meaning sRGB). */
  color?: ColorDescriptor;
}

/** Whether a frame lives in host memory (its data is the pixels). */
export function isHostFrame(frame: RawFrame): frame is HostFrame {
  return frame.memory === 'host';
}

function checkDimension(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new FrameError(`${name} must be a positive integer, got ${String(value)}`);
  }
  if (value > MAX_DIMENSION) throw new FrameError(`${name} ${value} exceeds the maximum of ${MAX_DIMENSION}`);
  return value;
}

/** A Uint8Array view of the bytes, without copying; undefined if `data` holds no bytes. */
export function asBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof Uint8ClampedArray) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}

function checkStride(format: PixelFormat, width: number, stride: unknown): number {
  const min = packedStride(format, width);
  if (stride === undefined) return min;
  if (typeof stride !== 'number' || !Number.isInteger(stride)) {
    throw new FrameError(`stride must be an integer, got ${String(stride)}`);
  }
  if (stride < min) {
    throw new FrameError(`stride ${stride} is less than a ${format} row of ${width} pixels (${min} bytes)`);
  }
  if (isYuv420(format) && stride % 2 !== 0) throw new FrameError(`${format} stride must be even, got ${stride}`);
  return stride;
}

function checkExtras(init: Pick<FrameInit, 'pixelRatio' | 'color'>): void {
  const { pixelRatio, color } = init;
  if (pixelRatio !== undefined && !(typeof pixelRatio === 'number' && Number.isFinite(pixelRatio) && pixelRatio > 0)) {
    throw new FrameError(`pixelRatio must be a positive finite number, got ${String(pixelRatio)}`);
  }
  if (color !== undefined && (color === null || typeof color !== 'object' || Array.isArray(color))) {
    throw new FrameError('color must be a colour descriptor object');
  }
}

/** Builds a validated frame. Host data is viewed, never copied. */
export function createFrame(init: FrameInit): RawFrame {
  if (init === null || typeof init !== 'object') throw new FrameError('a frame must be an object');
  const width = checkDimension('width', init.width);
  const height = checkDimension('height', init.height);
  const pixelFormat = init.pixelFormat ?? 'rgba';
  if (!isPixelFormat(pixelFormat)) {
    throw new FrameError(`unknown pixel format '${String(pixelFormat)}' (expected one of ${PIXEL_FORMATS.join(', ')})`);
  }
  if (isYuv420(pixelFormat) && (width % 2 !== 0 || height % 2 !== 0)) {
    throw new FrameError(`${pixelFormat} needs an even width and height, got ${width}x${height}`);
  }
  checkExtras(init);
  const memory = init.memory ?? 'host';
  if (typeof memory !== 'string' || memory.length === 0) throw new FrameError('memory must be a non-empty string');
  const extras = {
    ...(init.pixelRatio !== undefined ? { pixelRatio: init.pixelRatio } : {}),
    ...(init.color !== undefined ? { color: init.color } : {}),
  };
  if (memory !== 'host') {
    if (init.data === null || typeof init.data !== 'object') {
      throw new FrameError(`a ${memory} frame needs its handle in 'data'`);
    }
    return { width, height, pixelFormat, memory, data: init.data, ...extras };
  }
  const data = asBytes(init.data);
  if (!data) {
    throw new FrameError('host frame data must be a Uint8Array, Buffer, Uint8ClampedArray or ArrayBuffer');
  }
  const stride = checkStride(pixelFormat, width, init.stride);
  const { min, max } = byteLengthRange(pixelFormat, width, height, stride);
  if (data.byteLength < min || data.byteLength > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new FrameError(
      `${pixelFormat} ${width}x${height} with stride ${stride} needs ${expected} bytes, got ${data.byteLength}`,
    );
  }
  const frame: HostFrame = { width, height, pixelFormat, memory: 'host', data, stride, ...extras };
  return frame;
}

/** What the per-format constructors (rgbaFrame, ...) take besides the bytes and the size. */
export type FormatFrameOptions = Omit<FrameInit, 'width' | 'height' | 'data' | 'pixelFormat' | 'memory'>;

function formatConstructor(pixelFormat: PixelFormat) {
  return (data: PixelBuffer, width: number, height: number, options: FormatFrameOptions = {}): HostFrame =>
    createFrame({ ...options, data, width, height, pixelFormat, memory: 'host' }) as HostFrame;
}

/** A validated rgba host frame over `data` (no copy); throws FrameError when the bytes do not fit. */
export const rgbaFrame = formatConstructor('rgba');
/** A validated bgra host frame over `data` (no copy); throws FrameError when the bytes do not fit. */
export const bgraFrame = formatConstructor('bgra');
/** A validated rgb24 host frame over `data` (no copy); throws FrameError when the bytes do not fit. */
export const rgb24Frame = formatConstructor('rgb24');
/** A validated nv12 host frame over `data` (no copy); throws FrameError when the bytes do not fit. */
export const nv12Frame = formatConstructor('nv12');
/** A validated i420 host frame over `data` (no copy); throws FrameError when the bytes do not fit. */
export const i420Frame = formatConstructor('i420');

/** Allocates a zeroed host frame (handy for tests and scenes). */
export function allocateFrame(pixelFormat: PixelFormat, width: number, height: number): HostFrame {
  checkDimension('width', width);
  checkDimension('height', height);
  const { max } = byteLengthRange(pixelFormat, width, height, packedStride(pixelFormat, width));
  return createFrame({ data: new Uint8Array(max), width, height, pixelFormat }) as HostFrame;
}

function isRawFrame(input: unknown): input is RawFrame {
  return typeof input === 'object' && input !== null && 'width' in input && 'data' in input;
}

/**
 * Normalises what a publisher passed: a frame is validated as is; bare bytes are
 * taken as tightly packed RGBA of the given (display) size.
 */
export function toFrame(
  input: FrameInput,
  width: number,
  height: number,
  extras: Pick<FrameInit, 'pixelRatio' | 'color'> = {},
): RawFrame {
  const defined = Object.fromEntries(Object.entries(extras).filter(([, v]) => v !== undefined));
  if (isRawFrame(input)) return createFrame({ ...input, ...defined } as FrameInit);
  if (!asBytes(input)) {
    throw new FrameError('expected a frame or an RGBA Uint8Array/Buffer/Uint8ClampedArray/ArrayBuffer');
  }
  return createFrame({ data: input, width, height, pixelFormat: 'rgba', ...defined });
}

/**
 * The top-left `width` x `height` window of a packed host frame, sharing its
 * memory (used to crop odd sizes to even for video encoders).
 */
export function cropFrame(frame: HostFrame, width: number, height: number): HostFrame {
  if (isYuv420(frame.pixelFormat)) throw new FrameError(`cannot crop a planar ${frame.pixelFormat} frame in place`);
  if (width > frame.width || height > frame.height) {
    throw new FrameError(`crop ${width}x${height} exceeds the frame ${frame.width}x${frame.height}`);
  }
  const end = frame.stride * (height - 1) + width * bytesPerPixel(frame.pixelFormat);
  return { ...frame, width, height, data: frame.data.subarray(0, end) };
}
