/**
 * A scene renders RGBA frames, one per frame index, and may react to viewers'
 * input. The demo, `rfbcast serve --pattern` and the benchmarks draw from the
 * same scenes.
 */
import type { InputEvent } from '../wire';

export interface Scene {
  readonly name: string;
  /**
   * Fills `out` (width * height * 4 bytes, RGBA) with frame `index`. A scene
   * rendered elsewhere (on the GPU) returns a promise that resolves once the
   * pixels are in `out`.
   */
  render(out: Uint8Array, width: number, height: number, index: number): void | Promise<void>;
  /** Input from a viewer (interactive scenes only); `viewer` tells apart strokes of simultaneous viewers. */
  onEvent?(event: InputEvent, width: number, height: number, viewer: string): void;
  /** True when the scene changed and wants a new frame even if nothing animates. */
  readonly animated: boolean;
}

/** A scene drawn synchronously on the CPU: what the benchmark and `serve --pattern` need. */
export interface CpuScene extends Scene {
  render(out: Uint8Array, width: number, height: number, index: number): void;
}

/** An RGB colour as one little-endian RGBA pixel (opaque), for writing through a Uint32Array. */
export const rgba32 = (r: number, g: number, b: number): number => ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;

/**
 * Draws through a Uint32Array view of `out`, one element per pixel: four
 * times fewer writes than bytes, and whole runs with `fill`. A buffer not
 * aligned to 4 bytes is drawn in a scratch copy instead.
 */
export function drawPixels(out: Uint8Array, draw: (px: Uint32Array) => void): void {
  if (out.byteOffset % 4 === 0) return draw(new Uint32Array(out.buffer, out.byteOffset, out.length >> 2));
  const scratch = new Uint8Array(out.length);
  draw(new Uint32Array(scratch.buffer));
  out.set(scratch);
}

/** Fills a rectangle (clipped to the frame) with an opaque colour. */
export function fillRect(out: Uint8Array, width: number, height: number, x0: number, y0: number, w: number, h: number, rgb: readonly number[]): void {
  const xa = Math.max(0, Math.floor(x0));
  const ya = Math.max(0, Math.floor(y0));
  const xb = Math.min(width, Math.floor(x0 + w));
  const yb = Math.min(height, Math.floor(y0 + h));
  if (xa >= xb) return;
  const colour = rgba32(rgb[0], rgb[1], rgb[2]);
  drawPixels(out, (px) => {
    for (let y = ya; y < yb; y++) px.fill(colour, y * width + xa, y * width + xb);
  });
}
