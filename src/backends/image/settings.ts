/**
 * Image encoder options: their defaults, their validation (every problem is a
 * ConfigError naming it) and the per-image settings handed to native code.
 */
import { availableParallelism } from 'node:os';

import { ConfigError } from '../../core/errors';
import { integerOption } from '../../core/options';
import { MAX_BANDS } from './jpeg-bands';
import { IMAGE_MIMES, IMAGE_MODE_NAMES, MODE_SPECS, type ImageMime, type ImageMode, modeOfMime } from './modes';

/** JPEG chroma subsampling: 4:2:0 halves colour both ways, 4:4:4 keeps all of it. */
export type ChromaSubsampling = '4:2:0' | '4:2:2' | '4:4:4';
/** PNG row filters; `adaptive` lets libpng try all five on every row (slow, smaller). */
export type PngFilter = 'none' | 'sub' | 'up' | 'average' | 'paeth' | 'adaptive';

/** Options of ImageEncoder, and the image backend's own. */
export interface ImageEncoderOptions {
  /** Default `jpeg`. */
  mode?: ImageMode;
  /** JPEG and WebP quality, 1..100. Default 80. */
  quality?: number;
  /** JPEG chroma subsampling. Default `4:2:0`. */
  chromaSubsampling?: ChromaSubsampling;
  /** JPEG: the fast integer DCT instead of the accurate one. Default true. */
  fastDct?: boolean;
  /**
   * JPEG: frames of 1280x720 and up are cut into this many bands (1..4)
   * compressed at once on the libuv pool. Default: the number of cores, at
   * most 4. 1 compresses every frame on one thread.
   */
  jpegBands?: number;
  /** PNG zlib level, 0..9. Default 1: per-frame PNG must be fast. */
  compressionLevel?: number;
  /** PNG row filter. Default `up`. */
  pngFilter?: PngFilter;
  /** WebP method, 0 (fastest) .. 6 (smallest). Default 0: the library's default (4) is several times slower. */
  webpMethod?: number;
  /**
   * What `encodeStill()` produces. Default `image/png` (lossless). PROTOCOL
   * §17 H8: a viewer that did not advertise image/png gets its negotiated
   * MIME type instead, at maximum quality (JPEG q100 4:4:4, lossless WebP).
   */
  stillMime?: ImageMime;
}

/** What the native encoder takes for one image: every field of its codec. */
export type NativeImageSettings =
  | { codec: 'jpeg'; quality: number; subsampling: 420 | 422 | 444; fastDct: boolean }
  | { codec: 'png'; compressionLevel: number; filter: PngFilter }
  | { codec: 'webp'; quality: number; method: number; lossless: boolean };

/** The value of each ImageEncoderOptions key when it is left out. */
export const IMAGE_DEFAULTS = Object.freeze({
  mode: 'jpeg',
  quality: 80,
  chromaSubsampling: '4:2:0',
  fastDct: true,
  jpegBands: Math.min(MAX_BANDS, availableParallelism()),
  compressionLevel: 1,
  // The filter fpng uses for all rows: as cheap as `sub`, and on rendered
  // content (gradients, repeated rows) it compresses far better than `none`.
  pngFilter: 'up',
  webpMethod: 0,
  stillMime: 'image/png',
} as const satisfies Required<ImageEncoderOptions>);

/** Every ImageEncoderOptions key. */
export const IMAGE_KEYS: readonly string[] = Object.keys(IMAGE_DEFAULTS);

const SUBSAMPLING = { '4:2:0': 420, '4:2:2': 422, '4:4:4': 444 } as const;
const CHROMA_NAMES = Object.keys(SUBSAMPLING) as ChromaSubsampling[];
const PNG_FILTERS: readonly PngFilter[] = ['none', 'sub', 'up', 'average', 'paeth', 'adaptive'];

/** The encoding plan of one encoder: its mode and the settings for frames and for stills. */
export interface ImagePlan {
  mode: ImageMode;
  mime: ImageMime;
  jpegBands: number;
  stillMode: ImageMode;
  stillMime: ImageMime;
  frame: NativeImageSettings;
  still: NativeImageSettings;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  return value as T;
}

function boolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`${name} must be a boolean, got ${String(value)}`);
  return value;
}

/** Validates the options (an unknown key is a ConfigError) and plans the encoding. */
export function planImageEncoding(options: ImageEncoderOptions = {}): ImagePlan {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError('image: encoder options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!IMAGE_KEYS.includes(key)) throw new ConfigError(`image: unknown option '${key}' (known: ${IMAGE_KEYS.join(', ')})`);
  }
  const d = IMAGE_DEFAULTS;
  const mode = oneOf('image: mode', options.mode, IMAGE_MODE_NAMES, d.mode);
  const quality = integerOption('image: quality', options.quality, d.quality, 1, 100);
  const chroma = oneOf('image: chromaSubsampling', options.chromaSubsampling, CHROMA_NAMES, d.chromaSubsampling);
  const subsampling = SUBSAMPLING[chroma];
  const fastDct = boolean('image: fastDct', options.fastDct, d.fastDct);
  const jpegBands = integerOption('image: jpegBands', options.jpegBands, d.jpegBands, 1, MAX_BANDS);
  const compressionLevel = integerOption('image: compressionLevel', options.compressionLevel, d.compressionLevel, 0, 9);
  const filter = oneOf('image: pngFilter', options.pngFilter, PNG_FILTERS, d.pngFilter);
  const method = integerOption('image: webpMethod', options.webpMethod, d.webpMethod, 0, 6);
  const stillMime = oneOf('image: stillMime', options.stillMime, IMAGE_MIMES, d.stillMime);
  const stillMode = modeOfMime(stillMime);

  const png: NativeImageSettings = { codec: 'png', compressionLevel, filter };
  const frames: Record<ImageMode, NativeImageSettings> = {
    jpeg: { codec: 'jpeg', quality, subsampling, fastDct },
    png,
    webp: { codec: 'webp', quality, method, lossless: false },
  };
  const stills: Record<ImageMode, NativeImageSettings> = {
    jpeg: { codec: 'jpeg', quality: 100, subsampling: 444, fastDct: false },
    png,
    webp: { codec: 'webp', quality: 100, method, lossless: true },
  };
  const mime = MODE_SPECS[mode].mime;
  return { mode, mime, jpegBands, stillMode, stillMime, frame: frames[mode], still: stills[stillMode] };
}
