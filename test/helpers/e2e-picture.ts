/**
 * The picture the e2e tests publish, a 640x360 test card with large flat
 * areas, and how a canvas read back with `view.snapshot()` is held against it
 * pixel for pixel (the canvas backing store sized like the frame, fit 'fill').
 *
 * Tolerances, over R, G and B of every pixel:
 * - H.264 (libx264 at the 12 Mbit/s default, BT.601 limited with top-left
 *   chroma, decoded by WebCodecs): mean absolute error <= 3 per channel and
 *   PSNR >= 28 dB. Measured about 0.5/0.6/1.6 and 31 dB; decoding with the
 *   wrong matrix (BT.709) gives a green error of 10.6 and 26.7 dB.
 * - JPEG (quality 80, 4:2:0): mean absolute error <= 3, PSNR >= 30 dB.
 *   Measured about 0.9/0.5/1.3 and 33 dB.
 * The errors sit at the bars' vertical edges, where 4:2:0 chroma is shared.
 */
import { createFrame, type RawFrame } from 'rfbcast';

import { testCard } from '../../src/scenes/patterns';
import { type Page, pictureDifference, snapshot } from './e2e';

export const CARD = { width: 640, height: 360 };

const card = new Uint8Array(CARD.width * CARD.height * 4);
testCard.render(card, CARD.width, CARD.height, 0);

export const cardFrame = (): RawFrame => createFrame({ data: card, ...CARD });

export const TOLERANCE = {
  h264: { mae: 3, psnrDb: 28 },
  jpeg: { mae: 3, psnrDb: 30 },
};

export interface Picture {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * The test card at an odd size, and what an H.264 viewer is to show of it:
 * the top-left even-sized part (video encoders crop odd frames, §11.1), with
 * no padding rows or columns of the encoder's macroblocks.
 */
export function oddCard(width: number, height: number): { frame: () => RawFrame; shown: Picture } {
  const data = new Uint8Array(width * height * 4);
  testCard.render(data, width, height, 0);
  const shown = { width: width & ~1, height: height & ~1 };
  const rgba = new Uint8Array(shown.width * shown.height * 4);
  for (let y = 0; y < shown.height; y++) rgba.set(data.subarray(y * width * 4, (y * width + shown.width) * 4), y * shown.width * 4);
  return { frame: () => createFrame({ data, width, height }), shown: { ...shown, rgba } };
}

/** The view's canvas is the test card (or `expected`), at its size, within `tolerance`. */
export async function expectCard(page: Page, tolerance: { mae: number; psnrDb: number }, expected: Picture = { ...CARD, rgba: card }): Promise<void> {
  const shot = await snapshot(page);
  expect([shot.width, shot.height]).toEqual([expected.width, expected.height]);
  const diff = pictureDifference(shot.rgba, expected.rgba);
  for (const mae of diff.mae) expect(mae).toBeLessThanOrEqual(tolerance.mae);
  expect(diff.psnrDb).toBeGreaterThanOrEqual(tolerance.psnrDb);
}
