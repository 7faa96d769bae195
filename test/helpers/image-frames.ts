/** Frames of the moving test pattern in every host layout, and ffmpeg decoding of image payloads. */
import { spawnSync } from 'node:child_process';

import { createFrame, type EncodedUnit, type HostFrame } from 'rfbcast';

import { movingPattern } from '../../src/scenes/patterns';
import { decodeToRaw, withTempFile } from './ffmpeg';

export type PackedFormat = 'rgba' | 'bgra' | 'rgb24';

const ORDER: Record<PackedFormat, number[]> = { rgba: [0, 1, 2, 3], bgra: [2, 1, 0, 3], rgb24: [0, 1, 2] };

/** The pattern as `format`, each row padded by `pad` bytes of noise (so a stride bug shows). */
export function patternFrame(
  width: number,
  height: number,
  index: number,
  format: PackedFormat = 'rgba',
  pad = 0,
): HostFrame {
  const rgba = movingPattern(width, height, index);
  const order = ORDER[format];
  const stride = width * order.length + pad;
  const data = new Uint8Array(stride * height).fill(0xa5);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (y * width + x) * 4;
      const dst = y * stride + x * order.length;
      order.forEach((channel, i) => (data[dst + i] = rgba[src + channel]));
    }
  }
  return createFrame({ data, width, height, stride, pixelFormat: format }) as HostFrame;
}

const EXTENSION: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

/** Decodes an image payload with the system ffmpeg to tightly packed RGB24. */
export function decodeRgb(payload: EncodedUnit): Buffer {
  return decodeToRaw(payload.data, { fileName: `image.${EXTENSION[payload.mime ?? '']}`, pixFmt: 'rgb24' });
}

/** Width and height of an image payload, as ffprobe reads them. */
export function probeSize(payload: EncodedUnit): { width: number; height: number } {
  return withTempFile(`image.${EXTENSION[payload.mime ?? '']}`, payload.data, (path) => {
    const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'json', path]);
    if (r.status !== 0) throw new Error(`ffprobe failed: ${r.stderr.toString()}`);
    const [stream] = (JSON.parse(r.stdout.toString()) as { streams: Array<{ width: number; height: number }> }).streams;
    return { width: stream.width, height: stream.height };
  });
}
