/**
 * The payloads a viewer receives decode in headless Chromium the way the
 * client decodes them (PROTOCOL §6.2: a Blob of the payload's MIME type and
 * createImageBitmap), at the right size and with the right pixels.
 */

import { type EncodedUnit, ImageEncoder, type ImageEncoderOptions } from 'rfbcast';

import { useBlankPage } from './helpers/chromium-page';
import { patternFrame } from './helpers/image-frames';

interface Decoded {
  width: number;
  height: number;
  pixels: number[][];
}

const chromium = useBlankPage();

/** Spots on the gradients, on the moving box (frame 2 of the pattern) and in the corners. */
function spotsFor(w: number, h: number): Array<[number, number]> {
  const box: [number, number] = [Math.floor(w / 10) + 20, Math.floor(h / 10) + 10];
  return [[0, 0], [w - 1, h - 1], box, [w >> 1, h >> 1], [w - 20, 20], [10, h - 10]];
}

async function decodeInChromium(payload: EncodedUnit, spots: Array<[number, number]>): Promise<Decoded> {
  return chromium.page.evaluate(
    async ({ base64, mime, spots }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: mime }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
      ctx.drawImage(bitmap, 0, 0);
      bitmap.close();
      const pixels = spots.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data.subarray(0, 3)));
      return { width: canvas.width, height: canvas.height, pixels };
    },
    { base64: Buffer.from(payload.data).toString('base64'), mime: payload.mime as string, spots },
  );
}

/** Encodes frame 2 of the pattern (as padded BGRA) and checks Chromium's decode against the source. */
async function check(options: ImageEncoderOptions, w: number, h: number, tolerance: number, still = false) {
  const encoder = new ImageEncoder(options);
  const at = { timestampUs: 0 };
  const frame = patternFrame(w, h, 2, 'bgra', 4);
  const [payload] = await (still ? encoder.encodeStill(frame, at) : encoder.encode(frame, at));
  await encoder.close();

  const spots = spotsFor(w, h);
  const decoded = await decodeInChromium(payload, spots);
  expect({ width: decoded.width, height: decoded.height }).toEqual({ width: w, height: h });
  const source = patternFrame(w, h, 2).data;
  decoded.pixels.forEach((px, i) => {
    const [x, y] = spots[i];
    const want = Array.from(source.subarray((y * w + x) * 4, (y * w + x) * 4 + 3));
    const worst = Math.max(...px.map((v, c) => Math.abs(v - want[c])));
    expect({ spot: spots[i], px, want, withinTolerance: worst <= tolerance }).toEqual({
      spot: spots[i],
      px,
      want,
      withinTolerance: true,
    });
  });
}

describe('payloads decode in Chromium with createImageBitmap', () => {
  it.each([
    ['png', 0],
    ['jpeg', 24],
    ['webp', 24],
  ] as const)('%s frames (tolerance %s)', (mode, tolerance) => check({ mode }, 320, 180, tolerance));

  it.each([
    ['image/png', 0],
    ['image/webp', 0],
    ['image/jpeg', 8],
  ] as const)('%s stills (tolerance %s)', (stillMime, tolerance) =>
    check({ mode: 'jpeg', stillMime }, 320, 180, tolerance, true),
  );

  it('banded 1920x1080 JPEG with restart markers', () => check({ mode: 'jpeg', jpegBands: 4 }, 1920, 1080, 24));
});
