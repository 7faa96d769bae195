/**
 * Reference colour conversion written straight from PROTOCOL.md §13.2 in
 * floating point, so native results are checked against the formulas rather
 * than against themselves.
 */
const clamp = (v: number) => Math.min(255, Math.max(0, Math.floor(v + 0.5)));

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export const refY = ({ r, g, b }: Rgb) => clamp(0.257 * r + 0.504 * g + 0.098 * b + 16);
export const refCb = ({ r, g, b }: Rgb) => clamp(-0.148 * r - 0.291 * g + 0.439 * b + 128);
export const refCr = ({ r, g, b }: Rgb) => clamp(0.439 * r - 0.368 * g - 0.071 * b + 128);

export function refRgb(y: number, cb: number, cr: number): Rgb {
  const c = 1.164 * (y - 16);
  return {
    r: clamp(c + 1.596 * (cr - 128)),
    g: clamp(c - 0.392 * (cb - 128) - 0.813 * (cr - 128)),
    b: clamp(c + 2.017 * (cb - 128)),
  };
}

/** Seeded PRNG (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded random bytes (xorshift32, four bytes per step: fast enough for 1080p frames). */
export function randomBytes(length: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = (seed | 0) || 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, length);
}
