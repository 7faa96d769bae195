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

export function fillRect(out: Uint8Array, width: number, height: number, x0: number, y0: number, w: number, h: number, rgb: readonly number[]): void {
  const xa = Math.max(0, Math.floor(x0));
  const ya = Math.max(0, Math.floor(y0));
  const xb = Math.min(width, Math.floor(x0 + w));
  const yb = Math.min(height, Math.floor(y0 + h));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const o = (y * width + x) * 4;
      out[o] = rgb[0];
      out[o + 1] = rgb[1];
      out[o + 2] = rgb[2];
      out[o + 3] = 255;
    }
  }
}
