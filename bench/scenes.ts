/**
 * `scenes` suite: how long each of the demo's CPU scenes takes to draw one
 * frame (the demo's frame rate cannot beat this, whatever the encoder does).
 * Default size 1280x720. Each row says whether the scene met its budget: a
 * p95 under 8 ms, so drawing leaves most of a 30 fps frame to the encoder.
 */
import { demoScenes } from '../src/scenes/demo-scenes';
import { type BenchRow, progress, summarize, timeFrames, type Suite } from './harness';

/** Per-frame drawing budget at p95, in milliseconds. */
export const SCENE_BUDGET_MS = 8;

export const scenesSuite: Suite = async (args) => {
  const frames = args.frames ?? 120;
  const rows: BenchRow[] = [];
  for (const [width, height] of args.sizes ?? [[1280, 720]]) {
    const out = new Uint8Array(width * height * 4);
    for (const scene of Object.values(demoScenes())) {
      progress(`${scene.name} ${width}x${height}`);
      const times = await timeFrames(frames, (i) => scene.render(out, width, height, i));
      const summary = summarize(times);
      const withinBudget = summary.p95Ms < SCENE_BUDGET_MS;
      if (!withinBudget) progress(`${scene.name}: p95 ${summary.p95Ms} ms is over the ${SCENE_BUDGET_MS} ms budget`);
      rows.push({ case: 'scene-render', impl: 'rfbcast', scene: scene.name, width, height, frames, ...summary, budgetMs: SCENE_BUDGET_MS, withinBudget });
    }
  }
  return rows;
};
