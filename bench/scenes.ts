/**
 * `scenes` suite: how long each of the demo's CPU scenes takes to draw one
 * frame (the demo's frame rate cannot beat this, whatever the encoder does).
 * Default size 1280x720.
 */
import { demoScenes } from '../src/scenes/demo-scenes';
import { type BenchRow, progress, summarize, timeFrames, type Suite } from './harness';

export const scenesSuite: Suite = async (args) => {
  const frames = args.frames ?? 120;
  const rows: BenchRow[] = [];
  for (const [width, height] of args.sizes ?? [[1280, 720]]) {
    const out = new Uint8Array(width * height * 4);
    for (const scene of Object.values(demoScenes())) {
      progress(`${scene.name} ${width}x${height}`);
      const times = await timeFrames(frames, (i) => scene.render(out, width, height, i));
      rows.push({ case: 'scene-render', impl: 'rfbcast', scene: scene.name, width, height, frames, ...summarize(times) });
    }
  }
  return rows;
};
