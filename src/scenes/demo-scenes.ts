/** The demo's scenes: the test patterns plus animations and an interactive paint canvas. */
import type { Metal } from '../metal/metal';
import { type InputEvent, isEventOfType, isPointerEvent } from '../wire';
import { metalScene } from './metal-scene';
import { PATTERNS } from './patterns';
import { drawPixels, fillRect, rgba32, type Scene } from './scene';

/** The paint scene's brush colour (on a 245 grey canvas). */
export const PAINT_RGB = [200, 30, 60] as const;

const bouncingBox = (): Scene => ({
  name: 'bouncing_box',
  animated: true,
  render(out, width, height, index) {
    drawPixels(out, (px) => px.fill(rgba32(0, 0, 0)));
    const size = Math.max(8, Math.floor(Math.min(width, height) / 6));
    const span = (n: number, range: number) => {
      const p = n % (2 * range);
      return p < range ? p : 2 * range - p;
    };
    const x = span(index * 7, Math.max(1, width - size));
    const y = span(index * 5, Math.max(1, height - size));
    fillRect(out, width, height, x, y, size, size, [255, 140, 0]);
  },
});

const checkerboard = (): Scene => ({
  name: 'checkerboard',
  animated: true,
  render(out, width, height, index) {
    const cell = Math.max(4, Math.floor(Math.min(width, height) / 12));
    const shift = index * 2;
    const light = rgba32(235, 235, 235);
    const dark = rgba32(25, 25, 25);
    drawPixels(out, (px) => {
      // Two rows make every row: the one starting light and the one starting dark.
      for (let x = 0; x < width; x++) {
        const on = Math.floor((x + shift) / cell) % 2 === 0;
        px[x] = on ? light : dark;
        px[width + x] = on ? dark : light;
      }
      const [even, odd] = [new Uint32Array(px.subarray(0, width)), new Uint32Array(px.subarray(width, 2 * width))];
      for (let y = 0; y < height; y++) px.set(Math.floor(y / cell) % 2 === 0 ? even : odd, y * width);
    });
  },
});

/**
 * A plasma from a sine table: the terms that depend only on x or only on y
 * are computed once per column or row, the radial term's table once per size,
 * and the colour is one palette lookup. Every table holds integers already
 * scaled to palette steps, so a pixel costs four table reads and integer adds.
 * The picture is smooth (a few waves across the frame), so it is computed in
 * 2x2 blocks: a quarter of the work, with no visible difference.
 */
const plasma = (): Scene => {
  const N = 1024;
  const K = N / (2 * Math.PI);
  /** One palette step is 1/STEPS of the sum of four sines (-4..4). */
  const STEPS = 128;
  const sin = new Int16Array(N).map((_, i) => Math.round(Math.sin((i / N) * Math.PI * 2) * STEPS));
  /** Palette index (the sum of four sines, from -4 to 4, plus 4, in 1/STEPS steps) -> colour. */
  const palette = new Uint32Array(8 * STEPS + 1).map((_, i) => {
    const v = (i / STEPS - 4) * 0.8;
    const c = (phase: number) => Math.round(128 + 127 * Math.sin(v + phase));
    return rgba32(c(0), c(2.1), c(4.2));
  });
  let size = '';
  // Int16 (radii reach about 1400 table steps) halves the memory each frame walks.
  let radial = new Int16Array(0);
  let cols = new Int16Array(0);
  let diagX = new Int16Array(0);
  return {
    name: 'plasma',
    animated: true,
    render(out, width, height, index) {
      if (size !== `${width}x${height}`) {
        size = `${width}x${height}`;
        radial = new Int16Array(width * height);
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) radial[y * width + x] = Math.round(Math.hypot(x / width - 0.5, y / height - 0.5) * 12 * K);
        }
        cols = new Int16Array(width);
        diagX = Int16Array.from({ length: width }, (_, x) => Math.round((x / width) * 6 * K) & (N - 1));
      }
      const t = index / 30;
      for (let x = 0; x < width; x++) cols[x] = sin[Math.floor(((x / width) * 10 + t) * K) & (N - 1)];
      const radialShift = Math.round(2 * t * K);
      drawPixels(out, (px) => {
        for (let y = 0; y < height; y += 2) {
          const fy = y / height;
          // + 4 sines' worth, so the sum indexes the palette from 0.
          const rowTerm = sin[Math.floor((fy * 8 - t) * K) & (N - 1)] + 4 * STEPS;
          const diagY = Math.round((fy * 6 + t * 1.3) * K);
          const row = y * width;
          const end = row + width;
          for (let x = 0; x < width; x += 2) {
            const c = palette[rowTerm + cols[x] + sin[(diagX[x] + diagY) & (N - 1)] + sin[(radial[row + x] - radialShift) & (N - 1)]];
            px[row + x] = c;
            if (row + x + 1 < end) px[row + x + 1] = c;
          }
          // The odd row repeats the even one.
          if (y + 1 < height) px.copyWithin(end, row, end);
        }
      });
    },
  };
};

/**
 * Dragging paints; any key clears. The picture persists across frames and a
 * size change resets it. Each viewer draws its own stroke, so two people
 * painting at once do not join their lines.
 */
export const paint = (): Scene => {
  let canvas: Uint8Array | undefined;
  let size = '';
  let dirty = true;
  /** The last point of each viewer's stroke while its button is down. */
  const strokes = new Map<string, { x: number; y: number }>();
  const ensure = (width: number, height: number) => {
    if (size !== `${width}x${height}` || !canvas) {
      canvas = new Uint8Array(width * height * 4);
      clear(canvas);
      size = `${width}x${height}`;
      strokes.clear();
    }
    return canvas;
  };
  const clear = (c: Uint8Array) => {
    c.fill(245);
    dirty = true;
  };
  const brush = (c: Uint8Array, width: number, height: number, x: number, y: number) => {
    const r = Math.max(3, Math.round(Math.min(width, height) / 80));
    fillRect(c, width, height, x - r, y - r, 2 * r, 2 * r, PAINT_RGB);
  };
  return {
    name: 'paint',
    get animated() {
      return dirty;
    },
    render(out, width, height) {
      out.set(ensure(width, height));
      dirty = false;
    },
    onEvent(e: InputEvent, width: number, height: number, viewer: string) {
      const c = ensure(width, height);
      if (isEventOfType(e, 'key_down')) return clear(c);
      if (isEventOfType(e, 'pointer_up')) {
        strokes.delete(viewer);
        return;
      }
      if (!isPointerEvent(e)) return;
      // Only x and y are required on the wire; a drag that entered the view pressed has buttons.
      const pressed = Array.isArray(e.buttons) && e.buttons.length > 0;
      const p = { x: e.x, y: e.y };
      const from = e.type === 'pointer_down' ? p : (strokes.get(viewer) ?? (pressed ? p : undefined));
      if (!from) return;
      // Interpolate between samples so fast drags leave a continuous stroke.
      const steps = Math.max(1, Math.ceil(Math.hypot(p.x - from.x, p.y - from.y) / 2));
      for (let i = 1; i <= steps; i++) brush(c, width, height, from.x + ((p.x - from.x) * i) / steps, from.y + ((p.y - from.y) * i) / steps);
      strokes.set(viewer, { x: p.x, y: p.y });
      dirty = true;
    },
  };
};

/** Fresh instances (paint keeps state per demo), with the Metal shader scene where Metal is available. */
export function demoScenes(metal?: Metal): Record<string, Scene> {
  const gpu = metal && metalScene(metal);
  const list: Scene[] = [PATTERNS.test_card, bouncingBox(), PATTERNS.gradient, plasma(), checkerboard(), paint(), ...(gpu ? [gpu] : [])];
  return Object.fromEntries(list.map((s) => [s.name, s]));
}
