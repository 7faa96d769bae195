/** The demo's scenes: the test patterns plus animations and an interactive paint canvas. */
import type { Metal } from '../metal/metal';
import type { InputEvent } from '../wire';
import { metalScene } from './metal-scene';
import { PATTERNS } from './patterns';
import { fillRect, type Scene } from './scene';

/** The paint scene's brush colour (on a 245 grey canvas). */
export const PAINT_RGB = [200, 30, 60] as const;

const bouncingBox = (): Scene => ({
  name: 'bouncing_box',
  animated: true,
  render(out, width, height, index) {
    out.fill(0);
    for (let i = 3; i < out.length; i += 4) out[i] = 255;
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
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const on = (Math.floor((x + shift) / cell) + Math.floor(y / cell)) % 2 === 0;
        const o = (y * width + x) * 4;
        const v = on ? 235 : 25;
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
        out[o + 3] = 255;
      }
    }
  },
});

const plasma = (): Scene => {
  const sin = new Float32Array(1024).map((_, i) => Math.sin((i / 1024) * Math.PI * 2));
  const s = (v: number) => sin[((Math.floor(v * 162.97) % 1024) + 1024) % 1024];
  return {
    name: 'plasma',
    animated: true,
    render(out, width, height, index) {
      const t = index / 30;
      for (let y = 0; y < height; y++) {
        const fy = y / height;
        for (let x = 0; x < width; x++) {
          const fx = x / width;
          const v = s(fx * 10 + t) + s(fy * 8 - t) + s((fx + fy) * 6 + t * 1.3) + s(Math.hypot(fx - 0.5, fy - 0.5) * 12 - t * 2);
          const o = (y * width + x) * 4;
          out[o] = 128 + 127 * s(v * 0.8);
          out[o + 1] = 128 + 127 * s(v * 0.8 + 2.1);
          out[o + 2] = 128 + 127 * s(v * 0.8 + 4.2);
          out[o + 3] = 255;
        }
      }
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
      if (e.type === 'key_down') return clear(c);
      if (e.type === 'pointer_up') {
        strokes.delete(viewer);
        return;
      }
      if (e.type !== 'pointer_down' && e.type !== 'pointer_move') return;
      // Only x and y are required on the wire; a drag that entered the view pressed has buttons.
      const p = e as { x: number; y: number; buttons?: unknown };
      const pressed = Array.isArray(p.buttons) && p.buttons.length > 0;
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
