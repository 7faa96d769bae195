/**
 * `conversion` suite: RGBA -> I420 and RGBA -> NV12 through the native addon
 * (the promise API, into a reused destination, as the encoders use it) against
 * a straightforward scalar JavaScript loop computing the same BT.601 formula.
 */
import { convertFrame, createFrame, type HostFrame } from '../src';
import { type BenchRow, DEFAULT_SIZES, movingPattern, progress, summarize, timeFrames, type Suite } from './harness';

function scalarJs(src: Uint8Array, width: number, height: number, dst: Uint8Array, nv12: boolean): void {
  const chroma = width * height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const r = src[o];
      const g = src[o + 1];
      const b = src[o + 2];
      dst[y * width + x] = (66 * r + 129 * g + 25 * b + 4224) >> 8;
      if ((x & 1) === 0 && (y & 1) === 0) {
        const u = (112 * b - 38 * r - 74 * g + 32896) >> 8;
        const v = (112 * r - 94 * g - 18 * b + 32896) >> 8;
        if (nv12) {
          const i = chroma + (y >> 1) * width + x;
          dst[i] = u;
          dst[i + 1] = v;
        } else {
          const i = chroma + (y >> 1) * (width >> 1) + (x >> 1);
          dst[i] = u;
          dst[i + (width >> 1) * (height >> 1)] = v;
        }
      }
    }
  }
}

export const conversionSuite: Suite = async (args) => {
  const frames = args.frames ?? 120;
  const rows: BenchRow[] = [];
  for (const [width, height] of args.sizes ?? DEFAULT_SIZES) {
    const src = createFrame({ data: movingPattern(width, height, 3), width, height }) as HostFrame;
    const dst = new Uint8Array(width * height * 1.5);
    for (const to of ['i420', 'nv12'] as const) {
      const name = `rgba-to-${to}`;
      progress(`${name} ${width}x${height}`);
      const ours = await timeFrames(frames, () => convertFrame(src, to, { dst }));
      rows.push({ case: name, impl: 'rfbcast', width, height, frames, ...summarize(ours) });
      const js = await timeFrames(frames, () => scalarJs(src.data, width, height, dst, to === 'nv12'));
      rows.push({ case: name, impl: 'scalar-js', width, height, frames, ...summarize(js) });
    }
  }
  return rows;
};
