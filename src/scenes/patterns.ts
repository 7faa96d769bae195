/**
 * Deterministic animated test patterns: what `rfbcast benchmark --pattern`
 * and `rfbcast serve --pattern` draw, and what the tests encode.
 */
import { type CpuScene, fillRect } from './scene';

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
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inBox = x >= bx && x < bx + boxW && y >= by && y < by + boxH;
      data[o] = inBox ? 255 : (x * 255) / width;
      data[o + 1] = inBox ? 220 : (y * 255) / height;
      // A triangle wave, not a sawtooth: no hard edges for 4:2:0 chroma to smear.
      const t = (((x + y) >> 1) + index * 4) & 511;
      data[o + 2] = inBox ? 40 : t < 256 ? t : 511 - t;
      data[o + 3] = 255;
    }
  }
}

const gradient: CpuScene = {
  name: 'gradient',
  animated: true,
  render: renderMoving,
};

const bands: CpuScene = {
  name: 'bands',
  animated: true,
  render(out, width, height, index) {
    const colours = [[230, 40, 40], [250, 200, 40], [40, 200, 80], [40, 120, 230], [150, 60, 200], [240, 240, 240], [20, 20, 20], [0, 200, 200]];
    const band = Math.max(1, Math.floor(width / colours.length));
    const shift = (index * 4) % width;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const c = colours[Math.floor(((x + shift) % width) / band) % colours.length];
        const o = (y * width + x) * 4;
        out[o] = c[0];
        out[o + 1] = c[1];
        out[o + 2] = c[2];
        out[o + 3] = 255;
      }
    }
  },
};

const noise: CpuScene = {
  name: 'noise',
  animated: true,
  render(out, width, height, index) {
    // xorshift seeded by the frame index: the worst case for any encoder, and reproducible.
    let s = (index + 1) * 0x9e3779b9;
    for (let i = 0; i < width * height * 4; i += 4) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out[i] = s & 255;
      out[i + 1] = (s >>> 8) & 255;
      out[i + 2] = (s >>> 16) & 255;
      out[i + 3] = 255;
    }
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
    for (let x = 0; x < width; x++) {
      const v = Math.round((x * 255) / Math.max(1, width - 1));
      fillRect(out, width, height, x, barsH, 1, rampH, [v, v, v]);
    }
    fillRect(out, width, height, 0, barsH + rampH, width, height - barsH - rampH, [16, 16, 24]);
    const markerW = Math.max(4, Math.floor(width / 32));
    const mx = (index * 8) % Math.max(1, width - markerW);
    fillRect(out, width, height, mx, barsH + rampH, markerW, height - barsH - rampH, [255, 255, 255]);
  },
};

export const PATTERNS: Record<string, CpuScene> = { gradient, bands, noise, test_card: testCard };
export const PATTERN_NAMES = Object.keys(PATTERNS);
