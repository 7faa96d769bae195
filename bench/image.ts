/**
 * `image` suite: one JPEG, PNG or WebP file per frame through rfbcast's
 * ImageEncoder (native, on the libuv pool, as sessions use it) against sharp
 * encoding the same raw RGBA frames at the same quality in the same run.
 *
 * Settings, side by side (sharp's are the closest it offers to ours):
 * - jpeg: rfbcast TurboJPEG q80, 4:2:0, fast DCT, standard Huffman tables.
 *         sharp (libvips + mozjpeg in its fastest profile) q80, 4:2:0,
 *         optimiseCoding off (standard tables, as ours), no trellis; its
 *         DCT is the accurate one (not configurable; ours costs the same).
 * - png:  rfbcast libpng, zlib level 1, `up` filter, RGB output.
 *         sharp (libvips + libpng on zlib-ng) level 1, adaptiveFiltering off
 *         (filter none: sharp has no single cheap filter), alpha removed so
 *         it writes RGB too.
 * - webp: rfbcast libwebp (the system's) q80, method 0.
 *         sharp (its bundled libwebp) q80, effort 0 (= method 0).
 * Both sides encode on one thread per frame (sharp's libvips concurrency is
 * its default for this machine). `kbPerFrame` is the mean payload in
 * kilobytes (1000 bytes); `psnrDb` compares the first frame, decoded by sharp
 * for both sides, with the source.
 */
import sharp from 'sharp';

import { createFrame, IMAGE_DEFAULTS, ImageEncoder, type ImageMode } from '../src';
import { movingPattern } from '../src/scenes/patterns';
import { type BenchRow, DEFAULT_SIZES, progress, summarize } from './harness';
import type { Suite } from './harness';

const QUALITY = 80;
const PNG_LEVEL = 1;
const DISTINCT_FRAMES = 8;
const WARMUP = 5;

type Encode = (rgba: Uint8Array, width: number, height: number) => Promise<Uint8Array>;

function sharpEncoder(mode: ImageMode): Encode {
  return (rgba, width, height) => {
    const input = sharp(rgba, { raw: { width, height, channels: 4 } });
    if (mode === 'jpeg') {
      return input.jpeg({ quality: QUALITY, chromaSubsampling: '4:2:0', optimiseCoding: false }).toBuffer();
    }
    if (mode === 'png') {
      return input.removeAlpha().png({ compressionLevel: PNG_LEVEL, adaptiveFiltering: false }).toBuffer();
    }
    return input.webp({ quality: QUALITY, effort: 0 }).toBuffer();
  };
}

function rfbcastEncoder(encoder: ImageEncoder): Encode {
  return async (rgba, width, height) => {
    const [payload] = await encoder.encode(createFrame({ data: rgba, width, height }), { timestampUs: 0 });
    return payload.data;
  };
}

/**
 * Times every implementation on the same frames, alternating frame by frame
 * (and who goes first), so load from other processes on this shared machine
 * falls on all of them alike rather than on whichever ran during a burst.
 */
async function timeInterleaved(count: number, frames: Uint8Array[], w: number, h: number, impls: Encode[]) {
  const times = impls.map(() => [] as number[]);
  const bytes = impls.map(() => 0);
  for (let i = -WARMUP; i < count; i++) {
    const frame = frames[(i + WARMUP) % frames.length];
    const order = i % 2 === 0 ? impls.map((_, k) => k) : impls.map((_, k) => impls.length - 1 - k);
    for (const k of order) {
      const t0 = process.hrtime.bigint();
      const out = await impls[k](frame, w, h);
      if (i < 0) continue;
      times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
      bytes[k] += out.byteLength;
    }
  }
  return impls.map((_, k) => ({ times: times[k], kbPerFrame: Math.round(bytes[k] / count / 100) / 10 }));
}

async function psnrDb(encoded: Uint8Array, rgba: Uint8Array): Promise<number> {
  const rgb = await sharp(encoded).removeAlpha().raw().toBuffer();
  let sum = 0;
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    for (let c = 0; c < 3; c++) sum += (rgb[j + c] - rgba[i + c]) ** 2;
  }
  return Math.round(10 * Math.log10((255 * 255) / (sum / rgb.length)) * 100) / 100;
}

interface Contestant {
  impl: string;
  /** Extra row fields naming the variant. */
  fields: Record<string, unknown>;
  encode: Encode;
  close(): Promise<void>;
}

function contestants(mode: ImageMode): Contestant[] {
  const ours = (jpegBands: number): Contestant => {
    const encoder = new ImageEncoder({ mode, quality: QUALITY, compressionLevel: PNG_LEVEL, jpegBands });
    const fields = mode === 'jpeg' ? { jpegBands } : {};
    return { impl: 'rfbcast', fields, encode: rfbcastEncoder(encoder), close: () => encoder.close() };
  };
  const sharpSide: Contestant = { impl: 'sharp', fields: {}, encode: sharpEncoder(mode), close: async () => {} };
  // JPEG also runs on one thread (jpegBands 1), separating TurboJPEG's own
  // speed from what compressing bands at once on the pool adds.
  const bandings = mode === 'jpeg' && IMAGE_DEFAULTS.jpegBands > 1 ? [IMAGE_DEFAULTS.jpegBands, 1] : [1];
  return [...bandings.map(ours), sharpSide];
}

export const imageSuite: Suite = async (args) => {
  const count = args.frames ?? 60;
  const rows: BenchRow[] = [];
  for (const [width, height] of args.sizes ?? DEFAULT_SIZES) {
    const frames = Array.from({ length: DISTINCT_FRAMES }, (_, i) => movingPattern(width, height, i));
    for (const mode of ['jpeg', 'png', 'webp'] as const) {
      progress(`${mode} ${width}x${height}`);
      const sides = contestants(mode);
      const results = await timeInterleaved(count, frames, width, height, sides.map((c) => c.encode));
      for (const [k, side] of sides.entries()) {
        const quality = mode === 'png' ? { quality: null, compressionLevel: PNG_LEVEL } : { quality: QUALITY };
        const fidelity =
          mode === 'png' ? {} : { psnrDb: await psnrDb(await side.encode(frames[0], width, height), frames[0]) };
        rows.push({
          case: mode,
          impl: side.impl,
          width,
          height,
          frames: count,
          ...summarize(results[k].times),
          ...quality,
          ...side.fields,
          kbPerFrame: results[k].kbPerFrame,
          ...fidelity,
        });
        await side.close();
      }
    }
  }
  return rows;
};
