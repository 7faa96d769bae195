/**
 * Deterministic animated test patterns: what `rfbcast benchmark --pattern`
 * and `rfbcast serve --pattern` draw, and what the tests encode.
 */
import { type CpuScene, drawPixels, fillRect, rgba32 } from './scene';

/**
 * Gradients plus a bright box whose position depends on the frame index: real
 * motion for an encoder, with smooth areas and sharp edges.
 */
export function movingPattern(width: number, height: number, index: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  renderMoving(data, width, height, index);
  return data;
}

function renderMoving(data: Uint8Array, width: number, height: number, index: number): void {
  const boxW = Math.max(1, Math.floor(width / 8));
  const boxH = Math.max(1, Math.floor(height / 8));
  const bx = (index * 16) % Math.max(1, width - boxW);
  const by = (index * 9) % Math.max(1, height - boxH);
  const red = Uint32Array.from({ length: width }, (_, x) => Math.floor((x * 255) / width));
  // The blue triangle wave over its 512 phases.
  const blue = Uint32Array.from({ length: 512 }, (_, t) => (t < 256 ? t : 511 - t) << 16);
  drawPixels(data, (px) => {
    for (let y = 0; y < height; y++) {
      const g = (255 << 24) | (Math.floor((y * 255) / height) << 8);
      const row = y * width;
      for (let x = 0; x < width; x++) {
        // A triangle wave, not a sawtooth: no hard edges for 4:2:0 chroma to smear.
        px[row + x] = (g | blue[(((x + y) >> 1) + index * 4) & 511] | red[x]) >>> 0;
      }
    }
  });
  fillRect(data, width, height, bx, by, boxW, boxH, [255, 220, 40]);
}

const gradient: CpuScene = {
  name: 'gradient',
  animated: true,
  render: renderMoving,
};

const BAND_COLOURS = [[230, 40, 40], [250, 200, 40], [40, 200, 80], [40, 120, 230], [150, 60, 200], [240, 240, 240], [20, 20, 20], [0, 200, 200]].map(
  ([r, g, b]) => rgba32(r, g, b),
);

const bands: CpuScene = {
  name: 'bands',
  animated: true,
  render(out, width, height, index) {
    const band = Math.max(1, Math.floor(width / BAND_COLOURS.length));
    const shift = (index * 4) % width;
    drawPixels(out, (px) => {
      for (let x = 0; x < width; x++) px[x] = BAND_COLOURS[Math.floor(((x + shift) % width) / band) % BAND_COLOURS.length];
      for (let y = 1; y < height; y++) px.copyWithin(y * width, 0, width);
    });
  },
};

const noise: CpuScene = {
  name: 'noise',
  animated: true,
  render(out, width, height, index) {
    // xorshift seeded by the frame index: the worst case for any encoder, and reproducible.
    let s = (index + 1) * 0x9e3779b9;
    drawPixels(out, (px) => {
      for (let i = 0; i < width * height; i++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        px[i] = (s | 0xff000000) >>> 0;
      }
    });
  },
};

const SMPTE = [[192, 192, 192], [192, 192, 0], [0, 192, 192], [0, 192, 0], [192, 0, 192], [192, 0, 0], [0, 0, 192]];

/** Colour bars, a grey ramp, a moving marker and a frame counter bar: easy to check by eye. */
export const testCard: CpuScene = {
  name: 'test_card',
  animated: true,
  render(out, width, height, index) {
    const barW = width / SMPTE.length;
    const barsH = Math.floor(height * 0.6);
    SMPTE.forEach((c, i) => fillRect(out, width, height, i * barW, 0, barW + 1, barsH, c));
    const rampH = Math.floor(height * 0.25);
    drawPixels(out, (px) => {
      const first = barsH * width;
      for (let x = 0; x < width; x++) {
        const v = Math.round((x * 255) / Math.max(1, width - 1));
        px[first + x] = rgba32(v, v, v);
      }
      for (let y = barsH + 1; y < Math.min(height, barsH + rampH); y++) px.copyWithin(y * width, first, first + width);
    });
    fillRect(out, width, height, 0, barsH + rampH, width, height - barsH - rampH, [16, 16, 24]);
    const markerW = Math.max(4, Math.floor(width / 32));
    const mx = (index * 8) % Math.max(1, width - markerW);
    fillRect(out, width, height, mx, barsH + rampH, markerW, height - barsH - rampH, [255, 255, 255]);
  },
};

export const PATTERNS: Record<string, CpuScene> = { gradient, bands, noise, test_card: testCard };
export const PATTERN_NAMES = Object.keys(PATTERNS);
