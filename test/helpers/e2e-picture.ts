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

/** The view's canvas is the test card, at its size, within `tolerance`. */
export async function expectCard(page: Page, tolerance: { mae: number; psnrDb: number }): Promise<void> {
  const shot = await snapshot(page);
  expect([shot.width, shot.height]).toEqual([CARD.width, CARD.height]);
  const diff = pictureDifference(shot.rgba, card);
  for (const mae of diff.mae) expect(mae).toBeLessThanOrEqual(tolerance.mae);
  expect(diff.psnrDb).toBeGreaterThanOrEqual(tolerance.psnrDb);
}
