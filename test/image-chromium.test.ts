/**
 * The payloads a viewer receives decode in headless Chromium the way the
 * client decodes them (PROTOCOL §6.2: a Blob of the payload's MIME type and
 * createImageBitmap), at the right size and with the right pixels.
 */
import type { Server } from 'node:http';

import { type EncodedPayload, ImageEncoder, type ImageEncoderOptions } from 'rfbcast';

import { blankPage, type Browser, launchChromium } from './helpers/chromium';
import { patternFrame } from './helpers/image-frames';

const W = 320;
const H = 180;
/** Spots on the gradients, on the moving box (index 2: x 32..71, y 18..39) and in the corners. */
const SPOTS: Array<[number, number]> = [
  [0, 0],
  [W - 1, H - 1],
  [50, 30],
  [160, 90],
  [300, 20],
  [10, 170],
];

interface Decoded {
  width: number;
  height: number;
  pixels: number[][];
}

let browser: Browser;
let server: Server;

beforeAll(async () => {
  browser = await launchChromium();
  server = await blankPage(browser.page);
});

afterAll(async () => {
  server?.close();
  await browser?.close();
});

async function decodeInChromium(payload: EncodedPayload): Promise<Decoded> {
  return browser.page.evaluate(
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
    { base64: Buffer.from(payload.data).toString('base64'), mime: payload.mime as string, spots: SPOTS },
  );
}

const source = patternFrame(W, H, 2);
const expected = SPOTS.map(([x, y]) => Array.from(source.data.subarray((y * W + x) * 4, (y * W + x) * 4 + 3)));

async function payloadOf(options: ImageEncoderOptions, still = false): Promise<EncodedPayload> {
  const encoder = new ImageEncoder(options);
  const frame = patternFrame(W, H, 2, 'bgra', 4);
  const [payload] = await (still ? encoder.encodeStill : encoder.encode).call(encoder, frame, { seq: 0, timestampUs: 0 });
  await encoder.close();
  return payload;
}

function expectPixelsNear(decoded: Decoded, tolerance: number): void {
  decoded.pixels.forEach((px, i) => {
    const worst = Math.max(...px.map((v, c) => Math.abs(v - expected[i][c])));
    expect({ spot: SPOTS[i], px, worst: worst <= tolerance }).toEqual({ spot: SPOTS[i], px, worst: true });
  });
}

describe('payloads decode in Chromium with createImageBitmap', () => {
  it.each([
    ['png', 0],
    ['jpeg', 24],
    ['webp', 24],
  ] as const)('%s frames (tolerance %s)', async (mode, tolerance) => {
    const decoded = await decodeInChromium(await payloadOf({ mode }));
    expect({ width: decoded.width, height: decoded.height }).toEqual({ width: W, height: H });
    expectPixelsNear(decoded, tolerance);
  });

  it.each([
    ['image/png', 0],
    ['image/webp', 0],
    ['image/jpeg', 8],
  ] as const)('%s stills (tolerance %s)', async (stillMime, tolerance) => {
    const decoded = await decodeInChromium(await payloadOf({ mode: 'jpeg', stillMime }, true));
    expect({ width: decoded.width, height: decoded.height }).toEqual({ width: W, height: H });
    expectPixelsNear(decoded, tolerance);
  });
});
